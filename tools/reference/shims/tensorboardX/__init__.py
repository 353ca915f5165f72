"""Minimal shim for tensorboardX (NOT the real package).

Only exists so that `import tensorboardX` / `from tensorboardX import
SummaryWriter` in hypercl's mnist/train_utils.py and utils/sim_utils.py succeed
at import time. time_step.py never writes summaries. Every SummaryWriter method
is a no-op. Deliberately no `__version__` attribute.
"""


class SummaryWriter:
    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        def _noop(*args, **kwargs):
            return None
        return _noop
