"""Calibration of exercise 4's randomised checks: train_concise's convergence and losses, fit_tiny's reference run."""

import numpy as np
import torch

from autograder.checking.expect import REGULAR, neighbours
from autograder.checks import ex4_runs, ex4_support
from autograder.checks.synthetic import make_regression

PUBLIC = ex4_support.PUBLIC_RUN  # checks/public/test_ex4.py's run

TOLERANCES = {
    "train_concise max |param - truth| (public data)": PUBLIC["tol"],  # checks/public/test_ex4.py
    "train_concise max |param - truth| (hidden data)": 0.02,  # checks/hidden/test_ex4.py
    # checks/public/test_ex4.py: |losses[-1] - MSE| <= atol + rtol * MSE (RUN32), as a fraction of that bound
    "train_concise losses[-1] vs MSE of the model, fraction of RUN32": 1.0,
    # checks/*/test_ex4.py: an equivalent fit loop (nn.Sequential, nn.ReLU, the loss written out) against the
    # grader's reference run, worst entry as a fraction of RUN32's bound
    "fit_tiny equivalent loop vs reference, fraction of RUN32": 1.0,
    # checks/*/test_ex4.py: train_concise from a seed against the grader's reference run from that seed (weights and
    # the losses of every epoch)
    "train_concise vs reference run from the same seed, fraction of RUN32": 1.0,
    "load_array neighbours in a shuffled pass over 40": REGULAR,  # checks/public/test_ex4.py (expect.neighbours)
}


def _bound_fraction(got, expected, tolerance):
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(got - expected) / (tolerance["atol"] + tolerance["rtol"] * np.abs(expected))))


def _equivalent_fit(state, X, y, lr, epochs):
    """fit_tiny written another correct way: nn.Sequential with nn.ReLU, the loss written out, zero_grad last."""
    n_in, n_hidden = X.shape[1], state["hidden.weight"].shape[0]
    net = torch.nn.Sequential()
    net.add_module("hidden", torch.nn.Linear(n_in, n_hidden))
    net.add_module("relu", torch.nn.ReLU())
    net.add_module("output", torch.nn.Linear(n_hidden, 1))
    net.load_state_dict(state)
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        value = ((net(X) - y) ** 2).mean()
        value.backward()
        trainer.step()
        trainer.zero_grad()
        losses.append(value.item())
    return np.array(losses), {k: v.detach().numpy() for k, v in net.state_dict().items()}


def margins(seeds, ex4, seed_all):
    """The worst value of each quantity over ``seeds`` seeds, with the reference ``ex4``."""
    worst = dict.fromkeys(TOLERANCES, 0.0)
    for seed in range(seeds):
        for key, true_w, true_b, n, hyper in (
            (
                "train_concise max |param - truth| (public data)",
                [2.0, -3.4],
                4.2,
                PUBLIC["n"],
                {key: PUBLIC[key] for key in ("lr", "num_epochs", "batch_size")},
            ),
            (
                "train_concise max |param - truth| (hidden data)",
                [1.5, 0.7, -2.0],
                -1.3,
                208,
                {"lr": 0.1, "num_epochs": 4, "batch_size": 16},
            ),
        ):
            features, labels = make_regression(true_w, true_b, n, seed)
            seed_all(seed)
            net, losses = ex4.train_concise(features, labels, **hyper)
            weight = net.weight.detach().numpy().astype(np.float64)
            bias = net.bias.detach().numpy().astype(np.float64)
            error = max(np.max(np.abs(weight.ravel() - true_w)), abs(float(bias[0]) - true_b))
            worst[key] = max(worst[key], float(error))
            if "public" in key:
                mse = ex4_runs.full_mse(features, labels, weight, bias)
                key_loss = "train_concise losses[-1] vs MSE of the model, fraction of RUN32"
                worst[key_loss] = max(worst[key_loss], _bound_fraction(losses[-1], mse, ex4_support.RUN32))
        for true_w, true_b, n, lr, num_epochs, batch_size in (
            ([2.0, -3.4], 4.2, 150, 0.05, 2, 16),
            ([1.5, 0.7, -2.0], -1.3, 50, 0.02, 2, 7),
            ([2.0, -3.4], 4.2, 300, 0.1, 3, 10),
            ([2.0, -3.4], 4.2, 60, 0.03, 3, 10),
        ):
            features, labels = make_regression(true_w, true_b, n, seed)
            torch.manual_seed(seed)
            net, losses = ex4.train_concise(features, labels, lr=lr, num_epochs=num_epochs, batch_size=batch_size)
            weight, bias, curve = ex4_runs.concise_reference(features, labels, lr, num_epochs, batch_size, seed)
            key = "train_concise vs reference run from the same seed, fraction of RUN32"
            got = np.concatenate([net.weight.detach().numpy().ravel(), net.bias.detach().numpy(), losses])
            worst[key] = max(
                worst[key], _bound_fraction(got, np.concatenate([weight.ravel(), bias, curve]), ex4_support.RUN32)
            )
        for n_in, n_hidden, n, lr, epochs in ((4, 8, 10, 0.01, 20), (3, 5, 12, 0.05, 15)):
            state = ex4_runs.tiny_start(n_in, n_hidden, seed)
            X, y = ex4_runs.tiny_data(n, n_in, seed + 1)
            expected, final = ex4_runs.tiny_reference(state, X, y, lr, epochs)
            net = ex4.TinyNet(n_in, n_hidden)
            net.load_state_dict(state)
            ours = np.array(ex4.fit_tiny(net, X, y, lr=lr, epochs=epochs))
            other, other_final = _equivalent_fit(state, X, y, lr, epochs)
            key = "fit_tiny equivalent loop vs reference, fraction of RUN32"
            for got in (ours, other):
                worst[key] = max(worst[key], _bound_fraction(got, expected, ex4_support.RUN32))
            for name, value in other_final.items():
                worst[key] = max(worst[key], _bound_fraction(value, final[name], ex4_support.RUN32))
        seed_all(seed)
        loader = ex4.load_array(torch.arange(80.0).reshape(40, 2), torch.arange(40.0).reshape(40, 1), 8, True)
        for _ in range(2):
            order = [int(row) for _, y in loader for row in y.ravel()]
            key = "load_array neighbours in a shuffled pass over 40"
            worst[key] = max(worst[key], float(neighbours(order)))
    return worst
