"""A student folder named like a spreadsheet formula: its CSV cell must be escaped."""
MODULE = "ex1_manual_gradients"
CLASS = "forged"
MODES = ("batch",)
STUDENT = "=cmd|'-C calc'!A0"
