"""A .zip whose entries climb out with ../ and absolute paths (must neither be written nor graded)."""
MODULE = "ex1_manual_gradients"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
LAYOUT = "zip_traversal"
NOTE = True
