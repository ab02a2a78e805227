"""sgd always steps with 0.1, whatever `lr` it is given."""

MODULE = "ex2_linear_regression"
TARGET = "sgd"
HINT = "ex2.hint.sgd_lr_fixed"
LOSES = ("test_sgd_step", "test_sgd_in_place", "test_sgd_zeroes_grad")


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= 0.1 * param.grad / batch_size
            param.grad.zero_()
