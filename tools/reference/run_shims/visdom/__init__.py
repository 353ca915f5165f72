"""Stand-in for visdom: GMvandeVen/continual-learning imports Visdom at load time and uses it only
with --visdom."""


class Visdom:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError("visdom is not installed; run without --visdom")
