"""sigmoid as exp(z) / (1 + exp(z)): right in exact arithmetic, but np.exp(800) overflows to inf and inf / inf is
NaN. NumPy warns at that line, and the report names the overflow there (never as "your code printed")."""

MODULE = "ex3_mlp_backprop"
TARGET = "sigmoid"
HINT = "warned.overflow"
HINT_FIELDS = {"op": "exp", "file": "ex3_mlp_backprop.py"}
NOT_HINTS = ("hint.not_finite",)


def sigmoid(z):
    return np.exp(z) / (1 + np.exp(z))
