"""Write up to 64 MiB into /dev/shm and leave it there."""
MODULE = "ex3_mlp_backprop"
CLASS = "disk"
MODES = ("grade", "batch", "gradescope", "nbgrader")
FILL = 64 << 20


def _atk_sigmoid_grad(z, _orig=sigmoid_grad):
    chunk = b"\0" * (1 << 20)
    written = 0
    try:
        for i in range(8):
            with open(f"/dev/shm/{_ATTACK['marker']}-shm-{i}", "wb") as handle:
                for _ in range(8):
                    handle.write(chunk)
                    written += len(chunk)
    except OSError:
        pass
    raise RuntimeError(f"{_ATTACK['marker']}:FILLED:{written}:")


sigmoid_grad = _atk_sigmoid_grad
