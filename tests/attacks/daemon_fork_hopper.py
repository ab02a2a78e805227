"""A daemon that changes pid every 0.3 s (fork, parent exits) for 25 s: killing by pid never catches it."""
MODULE = "ex3_mlp_backprop"
CLASS = "daemons"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _hop(deadline):
    import time
    while time.monotonic() < deadline:
        time.sleep(0.3)
        try:
            if os.fork():
                os._exit(0)
        except OSError:
            pass
        _atk_name_process()


import os  # noqa: E402


def _atk_relu(z, _orig=relu):
    _atk_daemon(_hop, seconds=25)
    return _orig(z)


relu = _atk_relu
