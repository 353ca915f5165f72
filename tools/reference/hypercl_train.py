#!/usr/bin/env python3
"""Runs the authors' MNIST training (chrhenning/hypercl, mnist/train_*MNIST.py) unchanged, with
a few settings that their paper defaults would otherwise overwrite.

Their `_set_default` (mnist/train_args_default.py) resets n_iter, class_beta and data_dir after the
command line is parsed, so `--n_iter 500` alone has no effect. This driver applies its own options
after `_set_default` and then calls their `run`:

  hypercl_train.py perm --n_iter 500 -- --infer_task_id --cl_scenario 1 --random_seed 45 \
      --data_random_seed 45 --out_dir /tmp/ref-45

  --n_iter N       iterations per task
  --beta B         class_beta (the regularizer's strength)
  --stop_after K   train and test only the first K tasks; the networks are still built for
                   --num_tasks, so heads and chunks are those of the full run

Everything after `--` goes to their own argument parser. Their data_dir is forced to
`../datasets` (relative to mnist/): the four MNIST IDX .gz files must be in
`$HYPERCL_REF/datasets/MNIST/` (Fashion-MNIST's files under the same names work).
Needs numpy, scikit-learn (their one-hot encoder) and torch; torchvision and tensorboardX are
replaced by stand-ins when missing (run_shims/, shims/).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get('HYPERCL_REF', os.path.join(HERE, 'hypercl'))


def main():
    argv = sys.argv[1:]
    theirs = []
    if '--' in argv:
        i = argv.index('--')
        argv, theirs = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('mode', choices=['perm', 'split'])
    p.add_argument('--n_iter', type=int)
    p.add_argument('--beta', type=float)
    p.add_argument('--stop_after', type=int)
    a = p.parse_args(argv)
    if not os.path.isdir(os.path.join(REPO, 'mnist')):
        sys.exit('hypercl_train.py: no checkout of chrhenning/hypercl at %s; clone it there or set HYPERCL_REF' % REPO)

    import numpy as np
    # numpy 1.24 removed the aliases their data loaders still use (np.int in data/dataset.py).
    for name, t in (('int', int), ('float', float), ('bool', bool), ('object', object)):
        if name not in np.__dict__:
            setattr(np, name, t)
    # Stand-ins last on the path, so installed packages win.
    sys.path.append(os.path.join(HERE, 'run_shims'))
    sys.path.append(os.path.join(HERE, 'shims'))
    os.chdir(os.path.join(REPO, 'mnist'))
    sys.path.insert(0, REPO)
    sys.argv = ['train_%sMNIST.py' % ('permuted' if a.mode == 'perm' else 'split')] + theirs

    import mnist.train_args_default as defaults
    import mnist.train_splitMNIST as train
    from mnist import train_utils

    set_default = defaults._set_default

    def patched_default(config):
        config = set_default(config)
        if a.n_iter is not None:
            config.n_iter = a.n_iter
        if a.beta is not None:
            config.class_beta = a.beta
        return config

    generate = train_utils.generate_classifier

    def patched_generate(config, *args, **kwargs):
        out = generate(config, *args, **kwargs)
        if a.stop_after is not None:
            config.num_tasks = a.stop_after
        return out

    train._set_default = patched_default
    train_utils.generate_classifier = patched_generate
    train.run(mode=a.mode)


if __name__ == '__main__':
    main()
