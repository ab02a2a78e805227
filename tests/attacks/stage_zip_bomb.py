"""A .zip whose ex1 entry inflates to 256 MiB while its headers claim 1000 bytes."""
MODULE = "ex1_manual_gradients"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
LAYOUT = "zip_bomb"
NOTE = True
MAX_SECONDS = 60
