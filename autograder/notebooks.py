"""Build the nbgrader course: one notebook per exercise, from solutions/ and the same checks.

``python -m autograder build nbgrader`` (``make nbgrader``) writes
``dist/nbgrader/nbgrader_config.py`` and ``dist/nbgrader/source/backprop/<exercise>.ipynb``:
explanation cells (``templates/notebook_text.toml``), the code of each
function as an nbgrader solution cell (its answer between nbgrader's
``### BEGIN SOLUTION`` / ``### END SOLUTION``), and after it one autograded
test cell per check, worth the check's points, calling
:func:`autograder.notebook.check` (hidden checks sit between
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``). A few demonstration
cells draw a picture where one teaches.

The test cells are the learner's self-check in Jupyter. ``nbgrader autograde``
does not run them: the course's config replaces nbgrader's ``Execute`` step
with :class:`autograder.nbgrader_grade.GradeInSandbox`, which grades the
notebook's source in the sandbox; the test cell with grade_id
``<exercise>-<test>`` gets the outcome of that check.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import tomllib
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from . import EXERCISES
from .stubs import BEGIN, END

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "backprop"
TEXT = tomllib.loads((Path(__file__).parent / "templates" / "notebook_text.toml").read_text(encoding="utf-8"))

CONFIG = '''\
"""nbgrader configuration of the backprop-kit course (built by `make nbgrader`)."""

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = "backprop-kit"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
c.Execute.timeout = 300
c.ExecutePreprocessor.timeout = 300

# Autograding never runs a submission in a kernel (its cells could rebind `check` and fake
# every pass): GradeInSandbox grades the notebook's source in the kit's sandbox, as
# `python -m autograder grade` does, and writes each test cell's outcome. This is nbgrader's
# own autograde pipeline with its Execute step replaced.
c.Autograde.autograde_preprocessors = [
    "autograder.nbgrader_grade.GradeInSandbox",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Like `batch` and Gradescope, it refuses a sandbox below the 'namespaces' level unless told:
# c.GradeInSandbox.allow_weak_sandbox = True
'''

# Each picture is drawn by a function that imports matplotlib itself: a top-level import would
# become part of the graded module (see autograder.notebook.definitions), and the sandbox of the
# NumPy-only exercises has no matplotlib.
DEMOS = {
    ("ex1_manual_gradients", "dloss"): '''\
def draw_tangent():
    """A picture: the loss (w*x - y)**2 for x = 1, y = 2, and its tangent at w = 0.5 (slope from your dloss)."""
    import matplotlib.pyplot as plt

    w_grid = np.linspace(-1.0, 5.0, 200)
    plt.plot(w_grid, (w_grid * 1.0 - 2.0) ** 2, label="loss(w)")
    try:
        slope = dloss(0.5, 1.0, 2.0)
        plt.plot(w_grid, (0.5 - 2.0) ** 2 + slope * (w_grid - 0.5), "--", label=f"tangent at w = 0.5, slope {slope:.1f}")
    except NotImplementedError:
        print("Write dloss above to see its tangent here.")
    plt.ylim(-1, 10)
    plt.xlabel("w")
    plt.legend()
    plt.show()


draw_tangent()''',
    ("ex1_manual_gradients", "fit_line"): '''\
def draw_fitted_line():
    """A picture: the line fit_line finds, over noisy data from y = 3x - 1."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    x_demo = rng.normal(size=100)
    y_demo = 3.0 * x_demo - 1.0 + 0.5 * rng.normal(size=100)
    plt.scatter(x_demo, y_demo, s=8, label="data")
    try:
        w_fit, b_fit = fit_line(x_demo, y_demo)
        x_line = np.linspace(-3, 3, 2)
        plt.plot(x_line, w_fit * x_line + b_fit, "r", label=f"fit: y = {w_fit:.2f} x + {b_fit:.2f}")
    except NotImplementedError:
        print("Write fit_line (and mse_grad) above to see the fitted line here.")
    plt.legend()
    plt.show()


draw_fitted_line()''',
    ("ex2_linear_regression", "train"): '''\
def draw_training():
    """A picture: the data against its second feature, and the loss after each epoch."""
    import matplotlib.pyplot as plt

    torch.manual_seed(0)
    try:
        features_demo, labels_demo = synthetic_data(torch.tensor([2.0, -3.4]), 4.2, 1000)
        w_fit, b_fit, losses_demo = train(features_demo, labels_demo)
    except NotImplementedError:
        print("Write the functions above to see the training curve here.")
        return
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.scatter(features_demo[:, 1].numpy(), labels_demo.numpy().ravel(), s=2)
    left.set_xlabel("second feature")
    left.set_ylabel("label")
    right.plot(range(1, len(losses_demo) + 1), losses_demo, "o-")
    right.set_yscale("log")
    right.set_xlabel("epoch")
    right.set_ylabel("mean loss")
    plt.show()
    print("w =", w_fit.detach().numpy().ravel(), " b =", float(b_fit.detach()[0]))


draw_training()''',
    ("ex3_mlp_backprop", "fit_mlp"): '''\
def draw_learning():
    """A picture: the network's loss while it learns y = sin(2x)."""
    import matplotlib.pyplot as plt

    x_demo = np.linspace(-2, 2, 100).reshape(-1, 1)
    try:
        params_demo, losses_demo = fit_mlp(x_demo, np.sin(2 * x_demo), hidden=16, lr=0.5, epochs=2000)
        y_demo, _ = mlp_forward(x_demo, params_demo)
    except NotImplementedError:
        print("Write the functions above to see the network learn here.")
        return
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    left.plot(losses_demo)
    left.set_yscale("log")
    left.set_xlabel("epoch")
    left.set_ylabel("loss")
    right.plot(x_demo, np.sin(2 * x_demo), label="target")
    right.plot(x_demo, y_demo, "--", label="network")
    right.legend()
    plt.show()


draw_learning()''',
}


def _meta(**nbgrader) -> dict:
    return {"nbgrader": {"schema_version": 3, "task": False, **nbgrader}}


def checks_by_function() -> dict[tuple[str, str], list[tuple[str, object, str]]]:
    """(exercise, function) -> [(test name, check info, title)], public checks first."""
    found: dict = {}
    for visibility in ("public", "hidden"):
        for path in sorted((Path(__file__).parent / "checks" / visibility).glob("test_*.py")):
            module = importlib.import_module(f"autograder.checks.{visibility}.{path.stem}")
            for name, fn in vars(module).items():
                info = getattr(fn, "check_info", None)
                if name.startswith("test_") and info is not None:
                    title = (fn.__doc__ or "").strip().splitlines()[0]
                    found.setdefault((module.EXERCISE, info.function), []).append((name, info, title))
    return found


def _solution_cell(source: str) -> str:
    """Our markers -> nbgrader's (the line's indentation is kept)."""
    out = []
    for line in source.splitlines():
        stripped = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if stripped == BEGIN:
            out.append(f"{indent}### BEGIN SOLUTION")
        elif stripped == END:
            out.append(f"{indent}### END SOLUTION")
        else:
            out.append(line)
    return "\n".join(out)


def _test_cell(exercise: str, test: str, info, title: str) -> nbformat.NotebookNode:
    call = f'check("{exercise}", "{test}")'
    if info.visibility == "hidden":
        source = (f"# Hidden check, run when your notebook is graded: {title} ({info.points:g} points)\n"
                  f"### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS")
    else:
        source = f"# Check: {title} ({info.points:g} points)\n{call}"
    return new_code_cell(source, metadata=_meta(grade=True, solution=False, locked=True, points=info.points,
                                                grade_id=f"{exercise}-{test}"))


def build_notebook(exercise: str) -> nbformat.NotebookNode:
    text = TEXT[exercise]
    source = (ROOT / "solutions" / f"{exercise}.py").read_text()
    tree = ast.parse(source)
    lines = source.splitlines()
    checks = checks_by_function()
    cells = [new_markdown_cell(f"# {text['title']}\n\n{text['intro'].strip()}")]
    setup = ["from autograder.notebook import check  # runs the grader's checks from this notebook"]
    body = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    imports = [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
    setup += [ast.get_source_segment(source, node) for node in imports]
    cells.append(new_code_cell("\n".join(setup), metadata=_meta(grade=False, solution=False, locked=True,
                                                                 grade_id=f"{exercise}-setup")))
    for node in body:
        if node in imports:
            continue
        end = node.end_lineno
        while end < len(lines) and lines[end].startswith((" ", "\t")) and lines[end].strip().startswith("#"):
            end += 1  # trailing indented comments (such as the END marker) are not in the AST
        segment = "\n".join(lines[node.lineno - 1:end])
        if not isinstance(node, ast.FunctionDef):
            cells.append(new_code_cell(segment, metadata=_meta(grade=False, solution=False, locked=True,
                                                                grade_id=f"{exercise}-{node.lineno}")))
            continue
        if node.name in text:
            cells.append(new_markdown_cell(text[node.name].strip()))
        has_answer = BEGIN in segment
        cells.append(new_code_cell(_solution_cell(segment), metadata=_meta(
            grade=False, solution=has_answer, locked=not has_answer, grade_id=f"{exercise}-{node.name}")))
        for test, info, title in checks.get((exercise, node.name), []):
            cells.append(_test_cell(exercise, test, info, title))
        demo = DEMOS.get((exercise, node.name))
        if demo:
            cells.append(new_code_cell(demo))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def build_course(target: Path) -> Path:
    """Write the nbgrader course folder (config and source notebooks) into ``target``."""
    shutil.rmtree(target / "source", ignore_errors=True)
    folder = target / "source" / ASSIGNMENT
    folder.mkdir(parents=True)
    (target / "nbgrader_config.py").write_text(CONFIG)
    for exercise in EXERCISES:
        notebook = build_notebook(exercise)
        nbformat.validate(notebook)
        nbformat.write(notebook, folder / f"{exercise}.ipynb")
    return target
