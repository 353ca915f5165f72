"""Shim: see sklearn/__init__.py in this folder."""


class OneHotEncoder:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            'sklearn shim: OneHotEncoder is not available (only the import '
            'is shimmed, for hypercl data/dataset.py).')
