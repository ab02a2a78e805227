"""ex1's dloss, right, with a tower of powers in a branch that never runs: the by-hand rule folds the constants of
what it reads, in the grading process, where this tower once took hours."""
MODULE = "ex1_manual_gradients"
CLASS = "by_hand"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def dloss(w, x, y):
    if x is None:
        return ((((9 ** 64) ** 64) ** 64) ** 64) ** 64
    return 2 * (w * x - y) * x
