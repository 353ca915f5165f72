"""Stand-in for torchvision, used only when the real package is not installed.

hypercl's PermutedMNIST (data/special/permuted_mnist.py) builds its input pipeline from four
torchvision transforms; transforms.py here does the same to a uint8 image: zero padding, scaling
to [0, 1] and a channel axis in front. datasets.py gives MNIST over local IDX files, for
GMvandeVen/continual-learning's data.py. Nothing else of torchvision is provided.
"""
