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
  --batched_test   with --infer_with_entropy: score each test batch against every candidate
                   task at once instead of their one-example-at-a-time loop. The decisions are
                   theirs (per-example entropy of the candidate's softmax, their argmin, the
                   inferred task's weights and head); only the batching differs. Their loop
                   takes hours on PermutedMNIST-10 and grew past 21 GB here.

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
    p.add_argument('--batched_test', action='store_true')
    p.add_argument('--test_batch', type=int, default=1000,
                   help='examples per batch of --batched_test')
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
    if a.batched_test:
        train.test = batched_entropy_test(train.test, a.test_batch)
    train_utils.generate_classifier = patched_generate
    train.run(mode=a.mode)


def batched_entropy_test(their_test, batch):
    """Their `test` (mnist/train_splitMNIST.py) for the HNET+ENT case, one batch at a time.

    For every test example it makes their decisions: the entropy of softmax(logits/soft_temp)
    over each candidate's head (the shared head in CL2), the argmin over the candidates (all
    tasks after training, 0..task_id during), then the inferred task's weights; CL3 compares the
    argmax of the inferred head, offset by task*od, with the true class; CL2 compares the shared
    head's argmax. It sets the same config fields and returns the same value. Every other
    configuration goes to their own test."""
    import torch
    import torch.nn.functional as F

    def test(dhandlers, class_nets, infer_net, device, config, writer, task_id=None):
        if not (config.infer_with_entropy and class_nets is not None and config.training_with_hnet
                and config.cl_scenario in (2, 3) and infer_net is None
                and not config.class_incremental):
            return their_test(dhandlers, class_nets, infer_net, device, config, writer, task_id)
        if config.cl_scenario == 3 and not config.infer_output_head:
            raise SystemExit('hypercl_train.py: --batched_test expects infer_output_head in CL3')
        c_net, c_net_hnet = class_nets[0], class_nets[1]
        c_net.eval()
        c_net_hnet.eval()
        od = config.out_dim
        tasks = range(task_id, task_id + 1) if task_id is not None else range(config.num_tasks)
        candidates = range(task_id + 1) if task_id is not None else range(config.num_tasks)
        accs, inf_accs = [], []
        with torch.no_grad():
            weights = [c_net_hnet.forward(e) for e in candidates]
            for t in tasks:
                dhandler = dhandlers[0] if task_id is not None else dhandlers[t]
                n = dhandler.num_test_samples
                right = 0
                inferred_right = 0
                done = 0
                while done < n:
                    bs = min(batch, n - done)
                    done += bs
                    x_np, t_np = dhandler.next_test_batch(bs)
                    x = dhandler.input_to_torch_tensor(x_np, device, mode='inference')
                    labels = dhandler.output_to_torch_tensor(t_np, device,
                                                             mode='inference').argmax(dim=1)
                    heads, entropies = [], []
                    for e, w in zip(candidates, weights):
                        logits = c_net.forward(x, w)
                        lo = 0 if config.cl_scenario == 2 else e * od
                        head = logits[:, lo:lo + od]
                        y = F.softmax(head / config.soft_temp, -1)
                        entropies.append(-1 * torch.sum(y * torch.log(y), dim=1))
                        heads.append(head)
                    inferred = torch.argmin(torch.stack(entropies), dim=0)
                    chosen = torch.stack(heads)[inferred, torch.arange(bs)]
                    predicted = chosen.argmax(dim=1)
                    if config.cl_scenario == 3:
                        predicted = predicted + inferred * od
                        target = labels + t * od
                    else:
                        target = labels
                    right += int((predicted == target).sum())
                    inferred_right += int((inferred == t).sum())
                acc = torch.tensor(100.0 * right / n)
                inf_acc = torch.tensor(100.0 * inferred_right / n)
                print('Accuracy of task: ', t, ' % ', acc)
                print('Accuracy of task inference: ', t, ' % ', inf_acc)
                accs.append(acc)
                inf_accs.append(inf_acc)
        if task_id is None:
            print('Overall mean acc: ', sum(accs) / config.num_tasks)
            print('Overall task inf acc: ', sum(inf_accs) / config.num_tasks)
            config.overall_acc_list = accs
            config.acc_mean = sum(accs) / config.num_tasks
            config.overall_task_infer_accuracy_list = inf_accs
            config.acc_task_infer_mean = sum(inf_accs) / config.num_tasks
        return accs[-1]

    return test


if __name__ == '__main__':
    main()
