"""Answer a call with an integer of 100 000 digits."""
MODULE = "ex1_manual_gradients"
CLASS = "protocol"
MODES = ("grade", "batch", "gradescope", "nbgrader")
OTHERS_INTACT = True


def _atk_dloss(w, x, y, _orig=dloss):
    _atk_send_raw(b'{"ok": true, "result": {"t": "int", "v": 1' + b"0" * 100000 + b"}}")
    return _orig(w, x, y)


dloss = _atk_dloss
