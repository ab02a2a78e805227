"""fit_line computes the least-squares line from sums gathered in a loop over the samples: a formula, though it
loops (named as one, not as a full-batch descent)."""

MODULE = "ex1_manual_gradients"
TARGET = "fit_line"
CAUSE = {"en": r"least-squares line itself", "zh_CN": r"正好是最小二乘直线"}
NOT_SAY = {
    "en": [r"Likely cause: Each step uses the gradient of all the samples"],
    "zh_CN": [r"可能的原因[:：]\s*每一步用的都是全部样本的梯度"],
}


def fit_line(x, y, lr=0.1, epochs=200, batch_size=10, seed=0):
    if epochs == 0:
        return 0.0, 0.0
    n = len(x)
    sx = sy = sxx = sxy = 0.0
    for xi, yi in zip(x, y):
        sx += xi
        sy += yi
        sxx += xi * xi
        sxy += xi * yi
    w = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    b = (sy - w * sx) / n
    return float(w), float(b)
