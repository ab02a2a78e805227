"""A stub submission that reads the reference solution from the checkout and runs it."""
MODULE = "ex2_linear_regression"
CLASS = "tampering"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"
LEAKS = ("BEGIN SOLUTION",)


def _steal():
    for path in (_ATTACK["solutions"] + "/ex2_linear_regression.py",
                 "/autograder/source/solutions/ex2_linear_regression.py"):
        try:
            with open(path) as handle:
                code = handle.read()
        except OSError:
            continue
        exec(compile(code, "stolen", "exec"), globals())
        return path
    return ""


_STOLEN = _steal()
