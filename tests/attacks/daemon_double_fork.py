"""A double-forked, setsid daemon (ignoring SIGHUP/SIGINT/SIGTERM) that sleeps 25 s."""
MODULE = "ex1_manual_gradients"
CLASS = "daemons"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _sleep(deadline):
    import time
    while time.monotonic() < deadline:
        time.sleep(0.2)


def _atk_dloss(w, x, y, _orig=dloss):
    _atk_daemon(_sleep, seconds=25)
    return _orig(w, x, y)


dloss = _atk_dloss
