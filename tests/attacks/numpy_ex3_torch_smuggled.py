"""ex3 removes the import blocker from sys.meta_path and loads torch from site-packages by path."""
MODULE = "ex3_mlp_backprop"
CLASS = "numpy_only"
MODES = ("grade", "batch", "gradescope", "nbgrader")
ZERO_FUNCTIONS = ("relu_grad",)


def relu_grad(z):
    import sys
    sys.meta_path[:] = [f for f in sys.meta_path if "NumpyOnly" not in repr(f)]
    for site in (_ATTACK["site_packages"],):
        if site not in sys.path:
            sys.path.append(site)
    import torch
    t = torch.tensor(np.asarray(z, dtype=float), requires_grad=True)
    torch.relu(t).sum().backward()
    return t.grad.numpy()
