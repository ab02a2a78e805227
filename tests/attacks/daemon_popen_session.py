"""A new Python process in its own session (subprocess.Popen, start_new_session) that sleeps 25 s."""
MODULE = "ex2_linear_regression"
CLASS = "daemons"
MODES = ("grade", "batch", "gradescope")


def _spawn():
    import subprocess
    try:
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(25)", _ATTACK["marker"]],
                         start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, close_fds=True)
        return True
    except OSError:
        return False


import sys  # noqa: E402
_SPAWNED = _spawn()
