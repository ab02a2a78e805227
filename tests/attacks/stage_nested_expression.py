"""The reference ex1 file plus an unused function whose expression is nested 20 000 deep: Python cannot
parse it (RecursionError), and the grader, which reads the file with ast (where functions start, who calls
whom), must not fail on it (it used to end with a traceback and no report). Written by the layout: this
file itself must stay parsable."""
MODULE = "ex1_manual_gradients"
CLASS = "staging"
MODES = ("grade", "batch", "gradescope")
LAYOUT = "nested_expression"
