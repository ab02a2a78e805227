"""train solves least squares in closed form instead of training."""

MODULE = "ex2_linear_regression"
TARGET = "train"
HINT = "ex2.hint.closed_form"


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    X = torch.cat([features, torch.ones(len(features), 1)], dim=1)
    solution = torch.linalg.lstsq(X, labels).solution
    w = solution[:-1].clone().requires_grad_(True)
    b = solution[-1].clone().requires_grad_(True)
    losses = []
    with torch.no_grad():
        for _ in range(num_epochs):
            losses.append(float(squared_loss(linreg(features, w, b), labels).mean()))
    return w, b, losses
