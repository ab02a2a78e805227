"""killpg the grading process's group (the test's own grader only)."""
MODULE = "ex1_manual_gradients"
CLASS = "signals"
MODES = ("grade", "batch", "gradescope", "nbgrader")
GROUP = "disruptive"
OTHERS_INTACT = True


def _atk_mse_grad(w, b, x, y, _orig=mse_grad):
    import signal
    grader = _atk_grader()
    if grader:
        try:
            group = os.getpgid(grader)
            if _atk_owned(group):
                os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    return _orig(w, b, x, y)


import os  # noqa: E402
mse_grad = _atk_mse_grad
