#!/usr/bin/env python3
"""Time one training step of the authors' Split CIFAR code (chrhenning/hypercl,
cifar/train.py) for ResNet-32 or the ZenkeNet, with the hypernetwork and, past
the first task, the output regularizer with its lookahead.

The networks, their initialisation and every piece of the step are the authors'
own code imported from the checkout in ./hypercl (or $HYPERCL_REF):

  * config:   cifar/train_args.py:parse_cmd_arguments (mode resnet_cifar or
              zenke_cifar) with the flags of cifar/README.rst
              (--use_adam --custom_network_init, plus the schedulers for
              ResNet-32, --disable_data_augmentation for the ZenkeNet)
  * networks: cifar/train_utils.py:get_main_model and get_hnet_model
  * state:    one checkpoint_stats() per earlier task on every batch-norm
              layer, as train.py does at each task's end
  * step:     the body of the loop in cifar/train.py:train (hnet.forward,
              mnet.forward with the task's batch-norm statistics, the head's
              cross entropy, opstep.calc_delta_theta, and
              hreg.calc_fix_target_reg with the other heads left out,
              inds_of_out_heads, as train.py passes them).

Only the orchestration of that loop body is re-typed (it is inline code in
train() and cannot be called alone). Left out of the timed region: the
periodic test, logging, the schedulers' epoch steps, and the data handler's
per-image torchvision transforms (crop, flip, normalise: torchvision is not
installed here). Inputs are random [batch, 3072] rows in [0, 1) and random
one-hot labels, made once before timing.

--task T is 1-based: T = 1 is the first task (no regularizer, as train.py's
calc_reg = task_id > 0); T = k regularizes k - 1 earlier tasks whose targets
come from hreg.get_current_targets, as train.py computes them.
"""
import argparse
import logging
import os
import resource
import sys
import time
from argparse import Namespace

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get('HYPERCL_REF', os.path.join(HERE, 'hypercl'))
SHIMS = os.path.join(HERE, 'shims')
if not os.path.isdir(os.path.join(REPO, 'cifar')):
    sys.exit('hypercl_cifar_step.py: no checkout of chrhenning/hypercl at %s; clone it there or set HYPERCL_REF' % REPO)
for p in (REPO, SHIMS):
    if p not in sys.path:
        sys.path.insert(0, p)

import numpy as np
import torch

# Authors' code.
from cifar import train_args
from cifar import train_utils as tutils
from mnets.classifier_interface import Classifier
import utils.optim_step as opstep
import utils.hnet_regularizer as hreg
from utils.torch_utils import get_optimizer

README_FLAGS = {
    'resnet': ['--use_adam', '--custom_network_init', '--plateau_lr_scheduler', '--lambda_lr_scheduler'],
    'zenke': ['--use_adam', '--custom_network_init', '--disable_data_augmentation'],
}


def allow_strided_flatten():
    """mnets/zenkenet.py flattens its conv output with view(); with torch 2.x the
    permuted NHWC input keeps a channels-last layout through the convolutions,
    and view() refuses it. Where view() would fail, reshape() gives the same
    values (one copy of [batch, 2304]); everywhere else view() is unchanged."""
    view = torch.Tensor.view

    def view_or_reshape(self, *shape):
        try:
            return view(self, *shape)
        except RuntimeError:
            return self.reshape(*shape)

    torch.Tensor.view = view_or_reshape


def build(net, extra_argv):
    mode = {'resnet': 'resnet_cifar', 'zenke': 'zenke_cifar'}[net]
    argv = README_FLAGS[net] + ['--cl_scenario', '1', '--no_cuda'] + list(extra_argv)
    config = train_args.parse_cmd_arguments(mode=mode, argv=argv)
    shared = Namespace(experiment=net)
    logger = logging.getLogger('hypercl_cifar_step')
    logger.addHandler(logging.NullHandler())
    device = torch.device('cpu')
    mnet = tutils.get_main_model(config, shared, logger, device, no_weights=True)
    hnet = tutils.get_hnet_model(config, mnet, logger, device)
    return config, mnet, hnet


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--net', choices=['resnet', 'zenke'], default='resnet')
    ap.add_argument('--task', type=int, default=1, help='1-based task T (T - 1 earlier tasks regularized).')
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=42)
    ap.add_argument('--no_mask', action='store_true',
                    help='Regularize every weight (inds_of_out_heads=None) instead of leaving other heads out.')
    ap.add_argument('--authors_args', type=str, default='', help='Extra flags for the authors\' parser, verbatim.')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    if args.net == 'zenke':
        allow_strided_flatten()
    config, mnet, hnet = build(args.net, args.authors_args.split())
    t = args.task - 1
    assert 0 <= t < config.num_tasks, '--task must be in 1..%d' % config.num_tasks
    if config.cl_reg_batch_size == -1:   # train.py:run
        config.cl_reg_batch_size = None

    print('torch', torch.__version__, '| threads', torch.get_num_threads())
    print('config: net=%s batch=%d lr=%g beta=%g adam_beta1=%g hnet_arch=%r chunk=%d temb=%d cemb=%d '
          'no_lookahead=%s online_targets=%s mask=%s'
          % (args.net, config.batch_size, config.lr, config.beta, config.adam_beta1, config.hnet_arch,
             config.hyper_chunks, config.temb_size, config.emb_size, config.no_lookahead,
             config.online_target_computation, not args.no_mask))
    print('weights: main %d, hnet theta %d' % (sum(int(np.prod(s)) for s in mnet.param_shapes),
                                              sum(p.numel() for p in hnet.theta)))

    # train.py:train, set-up.
    mnet.train()
    hnet.train()
    theta_optimizer = get_optimizer(list(hnet.theta), config.lr, momentum=config.momentum,
        weight_decay=config.weight_decay, use_adam=config.use_adam, adam_beta1=config.adam_beta1,
        use_rmsprop=config.use_rmsprop)
    emb_optimizer = get_optimizer([hnet.get_task_emb(t)], config.lr, momentum=config.momentum,
        weight_decay=config.weight_decay, use_adam=config.use_adam, adam_beta1=config.adam_beta1,
        use_rmsprop=config.use_rmsprop)
    calc_reg = t > 0 and config.beta > 0
    targets = None
    regged_outputs = None
    if calc_reg:
        assert not config.online_target_computation
        targets = hreg.get_current_targets(t, hnet)
        if not args.no_mask:
            regged_outputs = [list(range(i * 10, (i + 1) * 10)) for i in range(t)]
    mnet_kwargs = {}
    if mnet.batchnorm_layers is not None and not config.bn_no_running_stats and not config.bn_no_stats_checkpointing:
        mnet_kwargs['condition'] = t
        # The statistics train.py checkpoints at the end of each earlier task (its lines 574-582).
        for _ in range(t):
            for bn_layer in mnet.batchnorm_layers:
                bn_layer.checkpoint_stats()
    task_out = [t * 10, (t + 1) * 10]

    bs = config.batch_size
    n_batches = 4
    Xs = [torch.rand(bs, 3072) for _ in range(n_batches)]
    Ts = [torch.nn.functional.one_hot(torch.randint(0, 10, (bs,)), 10).float() for _ in range(n_batches)]

    def step(i):
        theta_optimizer.zero_grad()
        emb_optimizer.zero_grad()
        X, T = Xs[i % n_batches], Ts[i % n_batches]
        weights = hnet.forward(task_id=t)
        logits = mnet.forward(X, weights, **mnet_kwargs)[:, task_out[0]:task_out[1]]
        loss_task = Classifier.logit_cross_entropy_loss(logits, T)
        loss_task.backward(retain_graph=calc_reg, create_graph=calc_reg and config.backprop_dt)
        emb_optimizer.step()
        if calc_reg:
            d_theta = None
            if not config.no_lookahead:
                d_theta = opstep.calc_delta_theta(theta_optimizer, False, lr=config.lr,
                                                  detach_dt=not config.backprop_dt)
            loss_reg = config.beta * hreg.calc_fix_target_reg(hnet, t, targets=targets, dTheta=d_theta,
                dTembs=None, mnet=mnet, inds_of_out_heads=regged_outputs, prev_theta=None,
                prev_task_embs=None, batch_size=config.cl_reg_batch_size)
            loss_reg.backward()
        theta_optimizer.step()
        return loss_task.detach()

    for i in range(args.warmup):
        step(i)
    times = []
    cpu0 = time.process_time()
    for i in range(args.warmup, args.warmup + args.steps):
        t0 = time.perf_counter()
        loss = step(i)
        times.append(time.perf_counter() - t0)
    cpu = (time.process_time() - cpu0) / args.steps * 1000.0
    times = np.array(times) * 1000.0
    print('per-step ms: mean %.1f median %.1f min %.1f max %.1f, CPU ms %.1f (last loss_task %.4f)'
          % (times.mean(), np.median(times), times.min(), times.max(), cpu, loss.item()))
    print('ms/step %.1f (%s, task %d, %d threads, steps %d), peak RSS %.2f GiB'
          % (times.mean(), args.net, args.task, args.threads, args.steps,
             resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2.0 ** 20))


if __name__ == '__main__':
    main()
