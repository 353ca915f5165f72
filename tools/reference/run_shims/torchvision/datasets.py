"""Stand-in for torchvision.datasets.MNIST over local IDX files, for running reference code
(GMvandeVen/continual-learning's data.py) on this machine's MNIST or Fashion-MNIST without a
download. The folder comes from $MNIST_IDX_DIR (default: Debian's Fashion-MNIST); the root
argument and download flag are ignored. Images are uint8 [28, 28] arrays handed to the transform
(the shims' transforms take arrays where torchvision's take PIL images)."""
import gzip
import os

import numpy as np

DEFAULT_DIR = '/usr/share/datasets/fashion-mnist'


def _idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class MNIST:
    def __init__(self, root, train=True, download=False, transform=None, target_transform=None):
        folder = os.environ.get('MNIST_IDX_DIR', DEFAULT_DIR)
        prefix = 'train' if train else 't10k'
        self.data = _idx(os.path.join(folder, prefix + '-images-idx3-ubyte.gz'))
        self.targets = [int(y) for y in _idx(os.path.join(folder, prefix + '-labels-idx1-ubyte.gz'))]
        self.transform = transform
        self.target_transform = target_transform
        self.train = train

    # The attribute names of the torchvision versions the reference code was written for.
    @property
    def train_labels(self):
        return self.targets

    @property
    def test_labels(self):
        return self.targets

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, i):
        x = self.data[i]
        y = self.targets[i]
        if self.transform is not None:
            x = self.transform(x)
        if self.target_transform is not None:
            y = self.target_transform(y)
        return x, y
