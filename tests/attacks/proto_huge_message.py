"""Answer a call with a 45 MB message (a 45-million-character string) written straight to the socket."""
MODULE = "ex3_mlp_backprop"
CLASS = "protocol"
MODES = ("grade", "batch", "gradescope", "nbgrader")
OTHERS_INTACT = True
MAX_OUTPUT = 5 << 20


def _atk_relu(z, _orig=relu):
    _atk_send_raw(b'{"ok": true, "result": {"t": "str", "v": "' + b"A" * (45 << 20) + b'"}}')
    return _orig(z)


relu = _atk_relu
