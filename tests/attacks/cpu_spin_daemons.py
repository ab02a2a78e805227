"""Two double-forked daemons that spin the CPU for 20 s, to starve the students graded next."""
MODULE = "ex2_linear_regression"
CLASS = "cpu"
MODES = ("grade", "batch", "gradescope")


def _spin(deadline):
    import time
    while time.monotonic() < deadline:
        for _ in range(100000):
            pass


_atk_daemon(_spin, seconds=20)
_atk_daemon(_spin, seconds=20)
