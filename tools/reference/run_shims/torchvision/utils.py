"""Stand-in for torchvision.utils: reference code imports make_grid at load time for its plots."""


def make_grid(*args, **kwargs):
    raise NotImplementedError("torchvision is not installed; this stand-in has no make_grid (plots of images)")
