"""Answer a call with JSON nested 200 000 levels deep."""
MODULE = "ex3_mlp_backprop"
CLASS = "protocol"
MODES = ("grade", "batch", "gradescope", "nbgrader")
OTHERS_INTACT = True


def _atk_sigmoid(z, _orig=sigmoid):
    _atk_send_raw(b'{"ok": true, "result": ' + b"[" * 200000 + b"]" * 200000 + b"}")
    return _orig(z)


sigmoid = _atk_sigmoid
