"""sigmoid forgets the minus: 1 / (1 + exp(z)) is sigmoid(-z)."""

MODULE = "ex3_mlp_backprop"
TARGET = "sigmoid"
CAUSE = {"en": r"This is sigmoid\(-z\)", "zh_CN": r"这是 sigmoid\(-z\)"}


def sigmoid(z):
    return 1 / (1 + np.exp(z))
