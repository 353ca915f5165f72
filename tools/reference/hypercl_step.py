#!/usr/bin/env python3
"""Time one training step of the authors' reference code (chrhenning/hypercl)
for the hypernetwork classifier ("HNET", task id known) on split MNIST or
permuted MNIST-10.

Everything that matters for compute is the authors' own code imported from the
checkout in ./hypercl:

  * config:   mnist/train_args.py:parse_cmd_arguments  +
              mnist/train_args_default.py:_set_default (paper defaults)
  * networks: mnist/train_utils.py:generate_classifier  (their MLP target net,
              their ChunkedHyperNetworkHandler via utils/sim_utils.py:
              get_hnet_model, and their weight initialisation)
  * step:     the body of the loop in mnist/train_splitMNIST.py:
              train_class_one_t (lines 630-737), calling their
              Classifier.softmax_and_cross_entropy, opstep.calc_delta_theta,
              hreg.calc_fix_target_reg, hreg.get_current_targets.

Only the orchestration of that loop body is re-typed here (it is inline code
in train_class_one_t and can't be called on its own). Data loading, image
plotting, tensorboard logging and the every-50/200-iteration statistics are
left out of the timed region; inputs/labels are random tensors of the right
shape, generated once before timing.

--task T is 1-based: T=1 is the first task (no regulariser, exactly as in
their loop where calc_reg = t > 0), T=k means k-1 previous tasks whose targets
are computed with hreg.get_current_targets before timing (their line 599).
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The authors' checkout: $HYPERCL_REF, else ./hypercl beside this script.
REPO = os.environ.get('HYPERCL_REF', os.path.join(HERE, 'hypercl'))
SHIMS = os.path.join(HERE, 'shims')
if not os.path.isdir(os.path.join(REPO, 'mnist')):
    sys.exit('hypercl_step.py: no checkout of chrhenning/hypercl at %s; clone it there or set HYPERCL_REF' % REPO)
for p in (REPO, SHIMS):
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy as np
import torch
import torch.optim as optim

# Authors' code.
from mnist import train_args
from mnist import train_utils
from mnist.train_args_default import _set_default
from mnets.classifier_interface import Classifier
import utils.optim_step as opstep
import utils.hnet_regularizer as hreg


class _DummyHandler:
    """generate_classifier only reads data_handlers[0].in_shape[0]
    (mnist/train_utils.py:182); MNIST handlers have in_shape [28, 28, 1]."""
    in_shape = [28, 28, 1]


def build(bench, cl_scenario, num_tasks, extra_argv):
    mode = {'split': 'split', 'perm10': 'perm'}[bench]
    argv = ['--infer_task_id', '--cl_scenario', str(cl_scenario),
            '--num_tasks', str(num_tasks), '--no_cuda'] + list(extra_argv)
    config = train_args.parse_cmd_arguments(mode=mode, argv=argv)
    if not config.dont_set_default:                     # train_splitMNIST.py:872
        config = _set_default(config)
    # As in run() (train_splitMNIST.py:961-970) for the HNET classifier.
    config.training_with_hnet = True
    config.training_task_infer = False
    device = torch.device('cpu')
    net, hnet = train_utils.generate_classifier(config, [_DummyHandler()],
                                                device)
    return config, net, hnet, device


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--bench', choices=['split', 'perm10'], default='split')
    ap.add_argument('--task', type=int, default=1,
                    help='1-based task index T (T-1 previous tasks).')
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--cl_scenario', type=int, default=1,
                    help='Authors\' --cl_scenario (default 1, a head per task as '
                         'in hypercl train: split 5 heads of 2, perm10 10 heads '
                         'of 10 -> 1024-1000-1000-100; 2 gives one shared head).')
    ap.add_argument('--num_tasks', type=int, default=None,
                    help='Number of tasks / task embeddings (authors\' '
                         '--num_tasks). Default: 5 (split), 10 (perm10).')
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--authors_args', type=str, default='',
                    help='Extra args passed verbatim to the authors\' parser, '
                         'e.g. "--dont_set_default --class_beta 0.05".')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    if args.num_tasks is None:
        args.num_tasks = 5 if args.bench == 'split' else 10
    assert 1 <= args.task <= args.num_tasks, '--task must be in 1..num_tasks'

    config, net, net_hnet, device = build(args.bench, args.cl_scenario,
                                          args.num_tasks,
                                          args.authors_args.split())
    t = args.task - 1  # authors' 0-based task id

    print('torch', torch.__version__, '| threads', torch.get_num_threads())
    print('config: bench=%s cl_scenario=%d num_tasks=%d batch=%d '
          'class_lr=%g class_lr_emb=%g class_beta=%g hnet_arch=%s '
          'hnet_act=%s temb=%d cemb=%d chunk=%s no_lookahead=%s '
          'use_sgd_change=%s backprop_dt=%s online_targets=%s '
          'hnet_reg_batch_size=%d train_class_embeddings=%s'
          % (args.bench, config.cl_scenario, config.num_tasks,
             config.batch_size, config.class_lr, config.class_lr_emb,
             config.class_beta, config.class_hnet_arch, config.class_hnet_act,
             config.class_temb_size, config.class_emb_size,
             config.class_hyper_chunks, config.no_lookahead,
             config.use_sgd_change, config.backprop_dt,
             config.online_target_computation, config.hnet_reg_batch_size,
             config.train_class_embeddings))
    print('target net shapes:', net.param_shapes)
    print('hnet theta shapes:', net_hnet.theta_shapes,
          '| num chunks:', net_hnet._num_chunks)

    # ---- train_class_one_t set-up (train_splitMNIST.py:564-628) ----------
    net.train()
    net_hnet.train()
    params_to_regularize = list(net_hnet.theta)
    optimizer = optim.Adam(params_to_regularize, lr=config.class_lr,
                           betas=(0.9, 0.999))
    c_emb_optimizer = optim.Adam([net_hnet.get_task_emb(t)],
                                 lr=config.class_lr_emb, betas=(0.9, 0.999))
    targets_C = None
    prev_theta = None
    prev_task_embs = None
    if t > 0:
        assert not config.online_target_computation
        targets_C = hreg.get_current_targets(t, net_hnet)
    calc_reg = t > 0 and config.class_beta > 0 and config.training_with_hnet
    hnet_reg_batch_size = config.hnet_reg_batch_size \
        if config.hnet_reg_batch_size != -1 else None

    # Output head / targets (train_splitMNIST.py:661-667, CL1 or CL2).
    assert config.cl_scenario in (1, 2) and not config.class_incremental
    od = config.out_dim
    task_out = [t * od, t * od + od] if config.cl_scenario == 1 else [0, od]

    # Random batches (stand-in for next_train_batch/input_to_torch_tensor,
    # train_splitMNIST.py:638-642): inputs in [0,1), one-hot labels.
    bs = config.batch_size
    n_batches = 8
    Xs = [torch.rand(bs, config.input_dim) for _ in range(n_batches)]
    Ts = [torch.nn.functional.one_hot(torch.randint(0, od, (bs,)), od).float()
          for _ in range(n_batches)]

    def step(i):
        # train_splitMNIST.py:633-635
        optimizer.zero_grad()
        c_emb_optimizer.zero_grad()
        X_real = Xs[i % n_batches]
        T_real = Ts[i % n_batches]
        # :685, :689-690
        weights_c = net_hnet.forward(t)
        Y_hat_logits = net.forward(X_real, weights_c)
        Y_hat_logits = Y_hat_logits[:, task_out[0]:task_out[1]]
        # :702
        loss_task = Classifier.softmax_and_cross_entropy(Y_hat_logits, T_real)
        # :715
        loss_task.backward(retain_graph=calc_reg,
                           create_graph=calc_reg and config.backprop_dt)
        # :719-730
        if calc_reg:
            if config.no_lookahead:
                dTheta = None
            else:
                dTheta = opstep.calc_delta_theta(optimizer,
                    config.use_sgd_change, lr=config.class_lr,
                    detach_dt=not config.backprop_dt)
            loss_reg = config.class_beta * hreg.calc_fix_target_reg(net_hnet,
                t, targets=targets_C, mnet=net, dTheta=dTheta, dTembs=None,
                prev_theta=prev_theta, prev_task_embs=prev_task_embs,
                batch_size=hnet_reg_batch_size)
            loss_reg.backward()
        # :733-737
        if not config.dont_train_main_model:
            optimizer.step()
        if config.train_class_embeddings:
            c_emb_optimizer.step()
        return loss_task.detach()

    for i in range(args.warmup):
        step(i)
    times = []
    for i in range(args.warmup, args.warmup + args.steps):
        t0 = time.perf_counter()
        loss = step(i)
        times.append(time.perf_counter() - t0)
    times = np.array(times) * 1000.0
    print('per-step ms: mean %.3f median %.3f min %.3f max %.3f '
          '(last loss_task %.4f)' % (times.mean(), np.median(times),
                                     times.min(), times.max(), loss.item()))
    print('ms/step %.3f (task %d, %d threads, steps %d)'
          % (times.mean(), args.task, args.threads, args.steps))


if __name__ == '__main__':
    main()
