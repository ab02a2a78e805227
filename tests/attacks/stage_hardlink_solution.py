"""ex2 is a hard link to the reference solution (root-only on Gradescope)."""
MODULE = "ex2_linear_regression"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"
LAYOUT = "hardlink_solution"
NOTE = True
LEAKS = ("BEGIN SOLUTION",)
