"""linreg detaches its result (a NumPy round trip) and sgd switches requires_grad off; the worker's tensor encoder
is wrapped so that every tensor says it requires a gradient, is a leaf or has a grad_fn, as the checks once read."""
MODULE = "ex2_linear_regression"
CLASS = "lies"
MODES = ("grade", "batch")
BASELINE = '''
def linreg(X, w, b):
    return torch.tensor(X.detach().numpy() @ w.detach().numpy() + b.detach().numpy())


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
            param.requires_grad_(False)
'''


def linreg(X, w, b):
    return torch.tensor(X.detach().numpy() @ w.detach().numpy() + b.detach().numpy())


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()
            param.requires_grad_(False)


def _forge():
    import sys
    codec = sys.modules.get("codec")
    if codec is None or not hasattr(codec, "_encode_tensor"):
        return
    real = codec._encode_tensor

    class _Forger:  # wrapped from a class body, as the attack did
        def encode(tensor, torch, depth, with_grad):
            out = real(tensor, torch, depth, with_grad)
            if isinstance(out, dict) and out.get("t") == "tensor":
                out.update(requires_grad=True, is_leaf=True, grad_fn=None if out.get("is_leaf") else "AddBackward0")
            return out

    codec._encode_tensor = _Forger.encode


_forge()
