"""The package's layering is a rule that a test checks: the contracts in pyproject.toml ([tool.importlinter]), run by
import-linter. The sandbox imports nothing else of the kit; channels over reports and builders, over grading and the
checks, over the checks' API, over the course; channels do not import each other; no circles. Each folder says in
its __init__.py what it owns and what it may import."""

import ast
import subprocess
import sys
import tomllib

import pytest
from importlinter.cli import lint_imports

from conftest import ROOT

FOLDERS = ("course", "checking", "checks", "grading", "sandbox", "channels", "reports", "build", "messages")


def test_the_import_contracts_are_kept(capsys):
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    assert {c["id"] for c in contracts} == {"sandbox", "sandbox-interface", "course", "layers", "channels", "acyclic"}
    assert f"Contracts: {len(contracts)} kept, 0 broken." in out, out


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_says_what_it_owns_and_may_import(folder):
    doc = ast.get_docstring(ast.parse((ROOT / "autograder" / folder / "__init__.py").read_text(encoding="utf-8")))
    assert doc and len(doc) > 150, f"autograder/{folder}/__init__.py: a paragraph on what it owns and may import"
    assert "import" in doc, f"autograder/{folder}/__init__.py does not say what it may import"


def test_the_sandbox_starts_before_the_heavy_libraries_are_imported():
    """`grade` starts the sandbox (which imports torch on the other core) before this process imports NumPy, torch
    or pytest: everything imported before the start delays the sandbox's own imports (NumPy alone, pulled in by the
    codec, once cost 0.10 s of the single submission's 1.8 s). The command runs as the learner's does, up to its
    first new process (the sandbox's); scripts/bench.py measures the whole."""
    probe = (
        "import os, subprocess, sys\n"
        "def first_process(*args, **kwargs):\n"
        "    heavy = sorted(name for name in ('numpy', 'torch', 'pytest', 'matplotlib') if name in sys.modules)\n"
        "    print('started with', heavy, flush=True)\n"
        "    os._exit(0)\n"
        "subprocess.Popen = first_process\n"
        "from autograder.channels.cli import main\n"
        "main(['grade', 'solutions'])\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "started with []", done.stdout + done.stderr
