"""Exercise 4's trusted helpers: run in the sandbox next to the learner's code, and imported by its checks.

``FUNCTIONS`` are the scalar functions the grader hands to ``grad_at`` and
``descend`` by name (never as code); the checks differentiate the very same
functions with ``torch.autograd`` on their side.

The ``PROBES`` turn what the learner's code builds (a ``DataLoader``, an
``nn.Module``) into plain data before anything leaves the sandbox: batches
as tensors, a model as its ``state_dict`` of tensors, type names as
strings. Nothing is pickled and no object of the learner's crosses over.
"""

import collections

import torch

# An optimizer's first step imports this (torch.autograd.profiler's record_function): loaded once, before
# forking, instead of in every worker (where the files of a kit kept under /tmp are out of sight).
PRELOAD = ("torch.profiler._cupti_monitor",)


def poly(x):
    """(x**2 + 3x + 1) summed: the course's example (gradient 7 at x = 2)."""
    return (x**2 + 3 * x + 1).sum()


def double_dot(x):
    """2 * x.x: gradient 4x."""
    return 2 * (x * x).sum()


def plain_sum(x):
    """The sum of the entries: gradient all ones."""
    return x.sum()


def bowl(x):
    """A tilted quadratic bowl with its minimum at (1, -2, 0.5, ...): gradient descent converges on it."""
    centre = torch.tensor([1.0, -2.0, 0.5, 3.0, -1.0, 2.0], dtype=x.dtype)[: x.shape[-1]]
    scale = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    return (scale * (x - centre) ** 2).sum() / 2


def wiggle(x):
    """A non-polynomial function: sin of squares plus a log-sum-exp."""
    return torch.sin(x**2).sum() + torch.logsumexp(x, dim=-1).sum()


FUNCTIONS = {"poly": poly, "double_dot": double_dot, "plain_sum": plain_sum, "bowl": bowl, "wiggle": wiggle}


def _type_name(value):
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _state(module):
    """A module's parameters as {name: detached tensor copy} (plain data), or None for a non-module."""
    if not isinstance(module, torch.nn.Module):
        return None
    return {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}


def grad_twice(module, name, x):
    """Call the learner's grad_at twice on the SAME tensor; both answers come back (as values), and what the
    calls left on it (for a hint only: the grader never scores what this process says about itself)."""
    function = FUNCTIONS[name]
    first = module.grad_at(function, x)
    first = first.detach().clone() if isinstance(first, torch.Tensor) else first
    second = module.grad_at(function, x)
    return {
        "first": first,
        "second": second,
        "x_requires_grad": bool(x.requires_grad),
        "x_has_grad": x.grad is not None,
    }


def grad_in_graph(module, name, x, weights):
    """The learner's grad_at at a point that is itself computed (``x = base * 1``, part of a graph, as a
    network's activations are), then a backward pass of ``sum(weights * x)`` through the same graph: the answer,
    and what that backward left in ``base.grad`` (``weights``, unless grad_at's own work leaked into it)."""
    base = x.clone().requires_grad_(True)
    point = base * 1.0
    answer = module.grad_at(FUNCTIONS[name], point)
    answer = answer.detach().clone() if isinstance(answer, torch.Tensor) else answer
    base.grad = None
    try:
        (weights * point).sum().backward()
    except RuntimeError:  # grad_at went back through x's graph itself, and freed it
        return {"answer": answer, "base_grad": None}
    return {"answer": answer, "base_grad": base.grad}


def loader_passes(module, features, labels, batch_size, shuffle, passes, seed):
    """Iterate over the learner's load_array result ``passes`` times, from ``seed``; return the batches of each
    pass (``shuffle`` None: the argument left out)."""
    torch.random.default_generator.manual_seed(seed)
    if shuffle is None:
        loader = module.load_array(features, labels, batch_size)
    else:
        loader = module.load_array(features, labels, batch_size, shuffle)
    out = {"type": _type_name(loader), "dataset": _type_name(getattr(loader, "dataset", None)), "passes": []}
    for _ in range(passes):
        batches = []
        for index, batch in enumerate(loader):
            if index >= 200:
                break
            batches.append(tuple(batch) if isinstance(batch, (list, tuple)) else batch)
        out["passes"].append(batches)
    return out


class _KnownGoodBatches:
    """Mini-batches in the order a shuffling DataLoader gives (one random draw per pass), from the indices."""

    def __init__(self, features, labels, batch_size, shuffle=True):
        self.features, self.labels = features, labels
        self.order = torch.utils.data.DataLoader(range(len(features)), batch_size=batch_size, shuffle=shuffle)

    def __iter__(self):
        for rows in self.order:
            yield self.features[rows], self.labels[rows]

    def __len__(self):
        return len(self.order)


def train_concise_state(module, features, labels, lr, num_epochs, batch_size, seed, defaults=False):
    """The learner's train_concise from ``seed``; its model comes back as its type name and state_dict.

    It runs with a known-good ``load_array`` in place of the learner's (checked on its own), so that
    a broken load_array is not taken for a broken train_concise. ``defaults``: the hyperparameters left out.
    """
    own = getattr(module, "load_array", None)
    module.load_array = _KnownGoodBatches
    torch.random.default_generator.manual_seed(
        seed
    )  # = torch.manual_seed on a CPU-only machine (see worker.Worker._seed)
    try:
        if defaults:
            result = module.train_concise(features, labels)
        else:
            result = module.train_concise(features, labels, lr=lr, num_epochs=num_epochs, batch_size=batch_size)
    finally:
        module.load_array = own
    if not isinstance(result, tuple) or len(result) != 2:
        return {"returned": result if not isinstance(result, torch.nn.Module) else _type_name(result)}
    net, losses = result
    return {"type": _type_name(net), "state": _state(net), "losses": losses}


def _tiny(module, n_in, n_hidden):
    net = module.TinyNet() if n_in is None else module.TinyNet(n_in, n_hidden)  # None: the defaults
    state = _state(net)
    if state is None:
        return net, {"type": _type_name(net)}
    return net, {"type": _type_name(net), "shapes": {k: list(v.shape) for k, v in state.items()}}


def _load(net, state):
    net.load_state_dict(state)


def tiny_forward(module, n_in, n_hidden, state, X):
    """Build the learner's TinyNet, load the grader's weights into it (when the names fit), run forward."""
    net, info = _tiny(module, n_in, n_hidden)
    if info.get("shapes") != {name: list(tensor.shape) for name, tensor in state.items()}:
        return info  # not a module, or other layers: the grader says which
    _load(net, state)
    info["out"] = net(X).detach()
    return info


def _known_good_tiny(n_in, n_hidden):
    """A known-good network with the layer names of TinyNet, so that fit_tiny is graded on its own."""
    layers = collections.OrderedDict(
        [
            ("hidden", torch.nn.Linear(n_in, n_hidden)),
            ("relu", torch.nn.ReLU()),
            ("output", torch.nn.Linear(n_hidden, 1)),
        ]
    )
    return torch.nn.Sequential(layers)


def tiny_fit(module, n_in, n_hidden, state, X, y, lr, epochs):
    """The learner's fit_tiny on a known-good network started from the grader's weights; losses, final weights."""
    net = _known_good_tiny(n_in, n_hidden)
    _load(net, state)
    losses = module.fit_tiny(net, X, y) if lr is None else module.fit_tiny(net, X, y, lr=lr, epochs=epochs)
    return {"losses": losses, "state": _state(net)}


PROBES = {
    "grad_twice": grad_twice,
    "grad_in_graph": grad_in_graph,
    "loader_passes": loader_passes,
    "train_concise_state": train_concise_state,
    "tiny_forward": tiny_forward,
    "tiny_fit": tiny_fit,
}
