"""Raise RLIMIT_AS back up, then allocate (and touch) 3 GiB."""
MODULE = "ex1_manual_gradients"
CLASS = "rlimits"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_dloss(w, x, y, _orig=dloss):
    import resource
    for value in ((resource.RLIM_INFINITY, resource.RLIM_INFINITY), resource.getrlimit(resource.RLIMIT_AS)[1:] * 2):
        try:
            resource.setrlimit(resource.RLIMIT_AS, value)
            break
        except (ValueError, OSError):
            pass
    try:
        block = b"\1" * (3 << 30)
    except MemoryError:
        return _orig(w, x, y)
    size = len(block)
    del block
    _atk_win(f"allocated {size} bytes")


dloss = _atk_dloss
