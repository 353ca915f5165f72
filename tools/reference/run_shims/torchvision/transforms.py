"""Minimal transforms: uint8 HxWx1 image -> zero pad -> float tensor [1,H,W] in [0,1]."""
import numpy as np
import torch


class Compose:
    def __init__(self, fs):
        self.fs = fs

    def __call__(self, x):
        for f in self.fs:
            x = f(x)
        return x


class ToPILImage:
    def __init__(self, mode=None):
        pass

    def __call__(self, x):
        x = np.asarray(x)
        if x.ndim == 3:
            x = x[..., 0]
        return x.astype(np.uint8)


class Pad:
    def __init__(self, p):
        self.p = p

    def __call__(self, x):
        return np.pad(x, self.p) if self.p else x


class ToTensor:
    def __call__(self, x):
        return torch.from_numpy(x.astype(np.float32) / 255.0)[None, ...]


class Lambda:
    def __init__(self, f):
        self.f = f

    def __call__(self, x):
        return self.f(x)
