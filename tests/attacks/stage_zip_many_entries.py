"""A .zip with 60 000 entries around the exercise files."""
MODULE = "ex1_manual_gradients"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
LAYOUT = "zip_many_entries"
MAX_SECONDS = 60
