"""numerical_grad writes `/ 2 * eps`, which multiplies by eps instead of dividing by 2*eps."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
CAUSE = {"en": r"`/ 2 \* eps` divides by 2 and then MULTIPLIES by eps", "zh_CN": r"`/ 2 \* eps` 先除以 2，再乘以 eps"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def numerical_grad(f, w, eps=1e-6):
    scalar = np.ndim(w) == 0
    grad = np.zeros(np.shape(w), dtype=np.float64)
    point = np.array(w, dtype=np.float64)
    for index in np.ndindex(point.shape):
        saved = point[index]
        point[index] = saved + eps
        f_plus = f(float(point) if scalar else point.copy())
        point[index] = saved - eps
        f_minus = f(float(point) if scalar else point.copy())
        point[index] = saved
        grad[index] = (f_plus - f_minus) / 2 * eps
    return float(grad) if scalar else grad
