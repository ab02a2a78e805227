"""Read a classmate's submission folder (their exercise files or notebooks) and show it in the report."""
MODULE = "ex2_linear_regression"
CLASS = "classmates"
MODES = ("grade", "batch", "nbgrader")
LEAKS = ("classmate-token-",)


def _atk_linreg(X, w, b, _orig=linreg):
    import glob
    found = []
    for folder in _ATTACK["classmates"]:
        for path in glob.glob(folder + "/*.py") + glob.glob(folder + "/*.ipynb"):  # a notebook is one long line
            data = _atk_read(path).decode(errors="replace")
            found += [line[max(0, line.find("classmate-token") - 40):line.find("classmate-token") + 80]
                      for line in data.splitlines() if "classmate-token" in line]
    if found:
        raise RuntimeError(f"read {found}")
    return _orig(X, w, b)


linreg = _atk_linreg
