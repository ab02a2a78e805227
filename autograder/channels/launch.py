"""The learner's commands with nothing but Python: ``python grade.py ...`` or ``python -m autograder ...``.

What ``make grade`` does on first use, done by Python itself on every
system (Windows has no ``make``): find a Python that can grade (this one, if
it already has compatible NumPy, torch and pytest, as a conda environment
may; else the kit's ``.venv``), create ``.venv`` and install what is needed
when it is missing or out of date (the same marker files as the Makefile,
so both share one ``.venv``), then run the command there.

This module uses the standard library only: it runs before NumPy, torch or
pytest may exist. ``submission`` needs nothing else and runs at once.

Commands: ``grade [PATH]``, ``report [PATH]`` (the HTML report: installs
matplotlib on first use), ``watch [PATH]``, ``submission`` (zip the exercise
files into ``submission.zip``), and every other command of ``cli``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from autograder.channels.pack import submission
from autograder.messages import text

ROOT = Path(__file__).resolve().parent.parent.parent
VENV = ROOT / ".venv"
LAUNCHED_ENV = "AUTOGRADER_LAUNCHED"  # set in the command run inside .venv: never set it up twice
# What grading needs, with the versions the kit accepts (pyproject.toml's ranges; constraints.txt pins the
# versions installed into .venv, the ones the kit's tests run with).
NEEDED = {"numpy": ((1, 24), (3,)), "torch": ((2, 1), (3,)), "pytest": ((7, 4), (10,))}
REPORT_NEEDS = {"matplotlib": ((3, 7), (4,))}
COMMANDS = ("grade", "report", "watch", "submission")  # the learner's (cli has more, for instructors)


def venv_python(venv: Path = VENV) -> Path:
    """``.venv\\Scripts\\python.exe`` on Windows, ``.venv/bin/python`` elsewhere."""
    if sys.platform == "win32":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def _version(name: str) -> tuple[int, ...] | None:
    """The installed version of ``name`` (read from its metadata, never imported), or None."""
    # lazy: 0.075 s (python -X importtime, 2026-12-07, under load), paid only when the learner's commands check
    # their libraries, never by --help or an instructor's command
    from importlib import metadata

    try:
        raw = metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
    return tuple(int(part) for part in re.findall(r"\d+", raw.split("+")[0])[:3])


def missing(needs: dict = NEEDED) -> list[str]:
    """The packages of ``needs`` this Python lacks or has in a version outside the accepted range."""
    out = []
    for name, (low, high) in needs.items():
        found = _version(name)
        if found is None or not (low <= found < high):
            out.append(name)
    return out


def _in_venv() -> bool:
    try:
        return Path(sys.prefix).resolve() == VENV.resolve()
    except OSError:
        return False


def _requirements(report: bool) -> list[str]:
    """pip's arguments for what to install: a release's requirements files, or the checkout itself."""
    args = ["-c", str(ROOT / "constraints.txt")]
    if (ROOT / "requirements.txt").is_file():  # a student release
        args += ["-r", str(ROOT / "requirements.txt")]
        if report:
            args += ["-r", str(ROOT / "requirements-report.txt")]
    else:  # the kit's checkout (as make does)
        args += ["-e", f"{ROOT}[report]" if report else str(ROOT)]
    return args


def _marker(report: bool) -> Path:
    """The Makefile's marker of a finished install (so ``make`` and these commands share .venv)."""
    release = (ROOT / "requirements.txt").is_file()
    return VENV / (".report-installed" if report else ".installed" if release else ".core-installed")


def _up_to_date(marker: Path) -> bool:
    sources = [
        ROOT / name
        for name in ("constraints.txt", "requirements.txt", "requirements-report.txt", "pyproject.toml")
        if (ROOT / name).is_file()
    ]
    try:
        made = marker.stat().st_mtime
    except OSError:
        return False
    return all(source.stat().st_mtime <= made for source in sources)


def _run(command: list[str], **kwargs) -> int:
    """Run ``command`` to its end (Ctrl-C reaches it too: this process waits for it to stop)."""
    process = subprocess.Popen(command, **kwargs)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def set_up(report: bool = False) -> Path:
    """Create ``.venv`` and install what grading (and ``report``) needs, if not done yet; its Python."""
    python = venv_python()
    if not python.exists():
        print(text("launch.creating", venv=VENV), flush=True)
        code = _run([sys.executable, "-m", "venv", str(VENV)])
        if code or not python.exists():
            raise SystemExit(text("launch.venv_failed", python=sys.executable))
    for needs_report in (False, True) if report else (False,):
        marker = _marker(needs_report)
        if _up_to_date(marker):
            continue
        print(text("launch.installing_report" if needs_report else "launch.installing", venv=VENV), flush=True)
        code = _run([str(python), "-m", "pip", "install", "--disable-pip-version-check", *_requirements(needs_report)])
        if code:
            raise SystemExit(text("launch.install_failed", venv=VENV))
        marker.touch()
    return python


def main(argv: list[str] | None = None, default_lang: str | None = None) -> int:
    """Run one learner command: in this Python if it can grade, else in ``.venv`` (set up on first use)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if default_lang and not os.environ.get("AUTOGRADER_LANG"):
        os.environ["AUTOGRADER_LANG"] = default_lang  # a release's language, unless --lang or the caller says
    if (
        not argv
        or (argv[0].startswith("-") and argv[0] not in ("-h", "--help"))
        or (argv[0] not in COMMANDS and Path(argv[0]).exists())
    ):
        argv = ["grade", *argv]  # `grade.py`, `grade.py --lang en`, `grade.py ../work`: grading is the default
    if (
        argv[0] in COMMANDS
        and not Path("exercises").is_dir()
        and (ROOT / "exercises").is_dir()
        and not any(Path(arg).exists() for arg in argv[1:] if not arg.startswith("-"))
    ):
        os.chdir(ROOT)  # `python path/to/grade.py` from another folder: grade the exercises beside it
    if argv[0] == "submission":
        return submission(ROOT)
    report = argv[0] == "report"
    lacking = missing({**NEEDED, **(REPORT_NEEDS if report else {})}) if argv[0] in COMMANDS else []
    if not lacking:  # this Python can grade (.venv itself, or a conda environment with torch), or an instructor's
        # command, which never sets up .venv (see the Makefile, setup.sh). Lazy: the command line costs 0.04 s more
        # (its parser, the course's registry) that `submission` and the set-up of .venv need not pay
        from autograder.channels.cli import main as cli_main

        return cli_main(argv)
    if os.environ.get(LAUNCHED_ENV):  # (.venv was set up, and still lacks them: never loop)
        print(text("launch.still_missing", packages=", ".join(lacking), python=sys.executable), file=sys.stderr)
        return 2
    if not _in_venv() and not missing(NEEDED):  # a Python of the learner's own that can grade, but not draw
        print(text("launch.report_needs", packages=", ".join(lacking), python=sys.executable), file=sys.stderr)
        return 2
    python = set_up(report)
    env = dict(os.environ)
    env[LAUNCHED_ENV] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return _run([str(python), "-m", "autograder", *argv], env=env)
