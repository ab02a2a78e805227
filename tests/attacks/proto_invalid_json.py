"""Answer a call with bytes that are neither UTF-8 nor JSON, then a frame claiming 4 GiB."""
MODULE = "ex2_linear_regression"
CLASS = "protocol"
MODES = ("grade", "batch", "gradescope", "nbgrader")
OTHERS_INTACT = True


def _atk_linreg(X, w, b, _orig=linreg):
    _atk_send_raw(b"\xff\xfe{not json at all")
    _atk_send_raw(b"x" * 16)
    return _orig(X, w, b)


linreg = _atk_linreg
