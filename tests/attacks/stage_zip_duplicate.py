"""A .zip holding the exercise file twice under one name: the reference first (what a reader by name takes), the
learner's stub last (what unzip and Python's zipfile extract, and what an instructor reading the work would see)."""
MODULE = "ex1_manual_gradients"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
LAYOUT = "zip_duplicate"
NOTE = True
