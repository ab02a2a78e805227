"""The product code (autograder/ and scripts/) is kept as a well-kept Python project keeps it: ruff's linter and
formatter and mypy, all three configured in pyproject.toml, report nothing.

Each test prints the tool's own findings when it fails, so that the fix is one command away:
``.venv/bin/python -m ruff format``, ``.venv/bin/python -m ruff check --fix``, ``.venv/bin/python -m mypy``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=600)


@pytest.mark.parametrize("command", [("ruff", "check", "--no-cache"), ("ruff", "format", "--check", "--no-cache")],
                         ids=["ruff-check", "ruff-format"])
def test_ruff_reports_nothing(command):
    result = _run(*command)
    assert result.returncode == 0, f"`python -m {' '.join(command)}` found:\n{result.stdout}{result.stderr}"


def test_mypy_reports_nothing(tmp_path):
    result = _run("mypy", "--cache-dir", str(tmp_path / "mypy-cache"))
    assert result.returncode == 0, f"`python -m mypy` found:\n{result.stdout}{result.stderr}"
    assert "Success" in result.stdout, result.stdout
