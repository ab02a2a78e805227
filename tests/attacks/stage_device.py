"""ex1 is a character device like /dev/zero: reading it never ends."""
MODULE = "ex1_manual_gradients"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
LAYOUT = "device"
NOTE = True
