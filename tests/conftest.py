"""Shared fixtures for the kit's own tests.

Grading runs in this process (one sandbox for the whole session), exactly as
``python -m autograder grade`` does, so each submission costs about a second.
"""

from __future__ import annotations

import ast
import os
import shutil
from pathlib import Path

import pytest

# The grader's secret keys the hidden checks' inputs (autograder/course/secret.py). The kit's tests pin it, so that they
# give the same results on every clone (tests/test_secret.py grades the reference under other secrets too).
os.environ.setdefault("AUTOGRADER_SECRET", "kit-tests")

from autograder.course import registry  # noqa: E402
from autograder.grading.sandboxes import course_sandbox  # noqa: E402
from autograder.sandbox.client import Limits  # noqa: E402

EXERCISES = registry.names()  # discovered from the files, never listed here
COURSE = registry.course(include_hidden=True)
MAX = COURSE.max_score  # the sum of the declared points, public and hidden
POINTS = {e.name: e.points for e in COURSE.exercises}

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
BUGGY = Path(__file__).parent / "buggy"
HOSTILE = Path(__file__).parent / "hostile"
FAST = Limits(call_seconds=3.0, import_seconds=3.0)  # hostile loops are stopped sooner


@pytest.fixture(scope="session")
def sandbox():
    with course_sandbox() as shared:
        yield shared


@pytest.fixture(scope="session")
def grade_path(sandbox):
    from autograder.grading.runner import grade

    def run(path, **kwargs):
        kwargs.setdefault("limits", FAST)
        return grade(path, sandbox=sandbox, **kwargs)

    return run


def copy_solutions(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in EXERCISES:
        shutil.copyfile(SOLUTIONS / f"{name}.py", target / f"{name}.py")
    return target


DEFINITIONS = (ast.FunctionDef, ast.ClassDef)


def splice(source: str, replacement: str) -> str:
    """Replace the top-level functions and classes of ``source`` that ``replacement`` defines."""
    new_defs = {node.name: node for node in ast.parse(replacement).body if isinstance(node, DEFINITIONS)}
    lines = source.splitlines(keepends=True)
    rep_lines = replacement.splitlines(keepends=True)
    spans = []
    for node in ast.parse(source).body:
        if isinstance(node, DEFINITIONS) and node.name in new_defs:
            new = new_defs[node.name]
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            new_start = min([new.lineno] + [d.lineno for d in new.decorator_list])
            spans.append((start, node.end_lineno, "".join(rep_lines[new_start - 1:new.end_lineno])))
    missing = set(new_defs) - {n.name for n in ast.parse(source).body if isinstance(n, DEFINITIONS)}
    if missing:
        raise ValueError(f"no function(s) {sorted(missing)} in the solution")
    for start, end, text in sorted(spans, reverse=True):
        lines[start - 1:end] = [text]
    return "".join(lines)


def load_bug(path: Path) -> dict:
    """A buggy submission: MODULE, TARGET, HINT constants and replacement functions."""
    source = path.read_text()
    tree = ast.parse(source)
    meta = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper():
            meta[node.targets[0].id] = ast.literal_eval(node.value)
    meta["doc"] = ast.get_docstring(tree) or ""
    meta["source"] = source
    return meta


def build_buggy(path: Path, target_dir: Path) -> dict:
    bug = load_bug(path)
    copy_solutions(target_dir)
    module_file = target_dir / f"{bug['MODULE']}.py"
    module_file.write_text(splice(module_file.read_text(), bug["source"]))
    return bug
