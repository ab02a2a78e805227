"""A .zip whose ex2 entry is a symbolic link to the reference solution."""
MODULE = "ex2_linear_regression"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"
LAYOUT = "zip_symlink_entry"
NOTE = True
LEAKS = ("BEGIN SOLUTION",)
