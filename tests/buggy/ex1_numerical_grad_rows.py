"""numerical_grad loops over range(len(w)): for a 2-D w, w[i] is a whole row, bumped all at once."""

MODULE = "ex1_manual_gradients"
TARGET = "numerical_grad"
CAUSE = {"en": r"`w\[i\]` is a whole row", "zh_CN": r"`w\[i\]` 是一整行"}
NOT_SAY = {"en": [r"Likely cause: Compare your code, term by term"], "zh_CN": [r"可能的原因[:：]\s*请把你的代码与文档字符串中的公式逐项对照"]}


def numerical_grad(f, w, eps=1e-6):
    if np.ndim(w) == 0:
        return float((f(w + eps) - f(w - eps)) / (2 * eps))
    w = np.array(w, dtype=float)
    grad = np.zeros_like(w)
    for i in range(len(w)):
        w_plus = w.copy()
        w_plus[i] += eps
        w_minus = w.copy()
        w_minus[i] -= eps
        grad[i] = (f(w_plus) - f(w_minus)) / (2 * eps)
    return grad
