"""At import, pre-send 300 forged "ok" answers so the grader reads them for later calls."""
MODULE = "ex2_linear_regression"
CLASS = "protocol"
MODES = ("grade", "batch", "gradescope")
BASE = "stubs"

for _ in range(300):
    _atk_send_raw(b'{"ok": true, "result": {"t": "none"}, "args": [], "grads": {"t": "none"}}')
