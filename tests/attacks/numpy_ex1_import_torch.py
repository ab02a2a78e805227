"""ex1's dloss imports torch and lets autograd do the derivative (the exercise is NumPy only)."""
MODULE = "ex1_manual_gradients"
CLASS = "numpy_only"
MODES = ("grade", "batch", "gradescope", "nbgrader")
ZERO_FUNCTIONS = ("dloss",)


def dloss(w, x, y):
    import torch
    w_t = torch.tensor(np.asarray(w, dtype=float), requires_grad=True)
    loss = ((w_t * torch.tensor(np.asarray(x, dtype=float)) - torch.tensor(np.asarray(y, dtype=float))) ** 2).sum()
    loss.backward()
    grad = w_t.grad.numpy()
    return float(grad) if np.ndim(grad) == 0 else grad
