"""ex2 is a symbolic link to the checkout's reference solution."""
MODULE = "ex2_linear_regression"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"
LAYOUT = "symlink_solution"
NOTE = True
LEAKS = ("BEGIN SOLUTION",)
