"""The backprop-kit autograder: grade the exercises safely, explain what is wrong."""

__version__ = "0.1.0"

EXERCISES = ("ex1_manual_gradients", "ex2_linear_regression", "ex3_mlp_backprop")
