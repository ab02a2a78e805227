"""A student folder whose name starts with + and holds @ (another formula prefix)."""
MODULE = "ex2_linear_regression"
CLASS = "forged"
MODES = ("batch",)
STUDENT = "+SUM(1)@x"
