"""Raise RLIMIT_FSIZE back up, then write a 100 MiB file (in /tmp and in the working folder)."""
MODULE = "ex2_linear_regression"
CLASS = "rlimits"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_linreg(X, w, b, _orig=linreg):
    import resource
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass
    chunk = b"\0" * (1 << 20)
    best = 0
    for path in (f"/tmp/{_ATTACK['marker']}-big", f"{_ATTACK['marker']}-big"):
        written = 0
        try:
            with open(path, "wb") as handle:
                for _ in range(100):
                    handle.write(chunk)
                    written += len(chunk)
        except OSError:
            pass
        try:
            os.unlink(path)
        except OSError:
            pass
        best = max(best, written)
    if best >= 100 << 20:
        _atk_win(f"wrote {best} bytes to one file")
    return _orig(X, w, b)


import os  # noqa: E402
linreg = _atk_linreg
