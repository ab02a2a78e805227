"""fit_line draws the batch but hands mse_grad all of x and y: a full-batch gradient at every step."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"gradient of all the samples instead of its mini-batch", "zh_CN": r"全部样本的梯度，而不是这个小批量的梯度"}
# (a full-batch descent ends on the least-squares line too: the formula may be named, after the loop's mistake)
NOT_SAY = {
    "en": [r"does not depend on `seed`", r"original order", r"Likely cause: Your \(w, b\) is the least-squares line"],
    "zh_CN": [r"与 `seed` 无关", r"原来的顺序", r"可能的原因[:：]\s*你的 \(w, b\) 正好是最小二乘直线"],
}


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    rng = np.random.default_rng(seed)
    n = len(x)
    w, b = 0.0, 0.0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start:start + batch_size]
            x_batch, y_batch = x[batch], y[batch]
            dw, db = mse_grad(w, b, x, y)
            w -= lr * dw
            b -= lr * db
    return float(w), float(b)
