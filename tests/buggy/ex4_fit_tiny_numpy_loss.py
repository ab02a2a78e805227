"""fit_tiny computes the loss with np.mean of a tensor: NumPy hands the work to the tensor's own mean() with its
own arguments ("mean() got an unexpected keyword argument 'axis'"), and autograd could not follow NumPy anyway."""

MODULE = "ex4_autograd_nn"
TARGET = "fit_tiny"
HINT = "hint.error.numpy_on_tensor"


def fit_tiny(net, X, y, lr=0.01, epochs=100):
    import numpy as np

    losses = []
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        trainer.zero_grad()
        value = np.mean((net(X) - y) ** 2)
        value.backward()
        trainer.step()
        losses.append(float(value))
    return losses
