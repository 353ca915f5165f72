"""Minimal shim for scikit-learn (NOT the real package).

Only exists so that `from sklearn.preprocessing import OneHotEncoder` in
hypercl's data/dataset.py succeeds at import time (it is pulled in by
mnist/train_utils.py -> data.special.split_mnist -> data.mnist_data ->
data.dataset). time_step.py never loads a dataset, so OneHotEncoder is never
instantiated; if it were, the shim raises.
"""
