"""A sub-folder of the submission is a symbolic link to the checkout's solutions/ folder."""
MODULE = "ex2_linear_regression"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"
LAYOUT = "symlink_dir"
LEAKS = ("BEGIN SOLUTION",)
