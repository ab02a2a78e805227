"""`python -m autograder doctor`, the pre-flight check, as an instructor runs it on this machine: the level, whether
a channel would refuse to grade, and the submissions the sandbox's user cannot read, each named with why (in the
language of the catalogues, whichever it is: doctor's own lines are English, like batch's).

The pod's masked /proc is tried in tests/test_k8s_job.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder.messages import text

from conftest import ROOT, copy_solutions


def doctor(*args, lang="en", **env):
    return subprocess.run([sys.executable, "-m", "autograder", "doctor", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "AUTOGRADER_LANG": lang, **env})


def test_the_level_here_and_a_channel_that_would_refuse():
    here = doctor("--channel", "batch")
    assert here.returncode == 0, here.stdout + here.stderr
    assert "sandbox level: namespaces" in here.stdout and "batch would grade here." in here.stdout
    capped = doctor("--channel", "gradescope", AUTOGRADER_SANDBOX_LEVEL="none")
    assert capped.returncode == 1, capped.stdout + capped.stderr
    assert "sandbox level: none" in capped.stdout and "gradescope would REFUSE to grade here" in capped.stdout
    assert "make gradescope ALLOW_WEAK_SANDBOX=1" in capped.stdout
    allowed = doctor("--channel", "gradescope", "--allow-weak-sandbox", AUTOGRADER_SANDBOX_LEVEL="none")
    assert allowed.returncode == 0 and "would grade here at the 'none' level" in allowed.stdout, allowed.stdout


@pytest.fixture()
def open_class():
    """A class folder that the unprivileged user Gradescope reads as can reach (pytest's own is root's only)."""
    folder = Path(tempfile.mkdtemp(prefix="doctor-class-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="reading as Gradescope's unprivileged user needs root")
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_submissions_the_sandboxs_user_cannot_read_are_named_with_why(open_class, lang, monkeypatch):
    for student in ("ann", "bob"):
        copy_solutions(open_class / student)
        for path in [open_class / student, *(open_class / student).iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    (open_class / "bob").chmod(0o700)  # left as root's only: Gradescope's "nobody" cannot list it
    run = doctor("--channel", "gradescope", "--submissions", open_class, lang=lang)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "1 of 2 submissions are not readable by uid" in run.stdout, run.stdout
    named = [line for line in run.stdout.splitlines() if line.strip().startswith("bob:")]
    assert len(named) == 1, run.stdout
    monkeypatch.setenv("AUTOGRADER_LANG", lang)
    why = text("submission.folder_unreadable", folder="@", error="@").split("@")[0].strip()
    assert why and why in named[0], (why, named[0])  # the reason, in the catalogue's language
    assert not [line for line in run.stdout.splitlines() if line.strip().startswith("ann:")], run.stdout
    (open_class / "bob").chmod(0o755)
    fixed = doctor("--channel", "gradescope", "--submissions", open_class, lang=lang)
    assert fixed.returncode == 0 and "the 2 submissions in" in fixed.stdout, fixed.stdout
