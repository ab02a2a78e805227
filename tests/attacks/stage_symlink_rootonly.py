"""ex1 is a symbolic link to a root-only file (its line would be shown in a syntax error)."""
MODULE = "ex1_manual_gradients"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"
LAYOUT = "symlink_rootonly"
NOTE = True
LEAKS = ("ROOTONLY",)
