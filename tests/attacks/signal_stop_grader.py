"""SIGSTOP the grading process for 2 s (a real attack would never send SIGCONT)."""
MODULE = "ex2_linear_regression"
CLASS = "signals"
MODES = ("grade", "batch", "gradescope", "nbgrader")
GROUP = "disruptive"
OTHERS_INTACT = True


def _atk_linreg(X, w, b, _orig=linreg):
    import signal
    import time
    grader = _atk_grader()
    if grader:
        try:
            os.kill(grader, signal.SIGSTOP)
        except OSError:
            grader = 0
        else:
            time.sleep(2)
            os.kill(grader, signal.SIGCONT)
    if grader:
        _atk_win(f"stopped the grader {grader}")
    return _orig(X, w, b)


import os  # noqa: E402
linreg = _atk_linreg
