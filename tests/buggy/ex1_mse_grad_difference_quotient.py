"""mse_grad by central differences of the loss, with a step of 1e-5: the loss is a quadratic, so the
difference quotient is the derivative up to rounding, and nothing is worked out by hand."""

MODULE = "ex1_manual_gradients"
TARGET = "mse_grad"
HINT = "hint.by_hand"
LOSES = ("test_mse_grad_autograd", "test_mse_grad_hidden")


def mse_grad(w, b, x, y):
    h = 1e-5

    def loss(w_, b_):
        return np.mean((w_ * x + b_ - y) ** 2)

    dw = (loss(w + h, b) - loss(w - h, b)) / (2 * h)
    db = (loss(w, b + h) - loss(w, b - h)) / (2 * h)
    return float(dw), float(db)
