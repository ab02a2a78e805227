"""The command line's arguments: every command of ``python -m autograder`` and its options, with argparse's
help in the learner's language (:mod:`autograder.channels.cli` runs them)."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from autograder.messages import language, text

ROOT = Path(__file__).resolve().parent.parent.parent


def _offered(commands, module: str):
    """``commands`` where this installation has ``autograder.<module>`` (``channels.batch``), else a set of
    commands nobody sees.

    A student release leaves the instructor's modules out (``bundles.RELEASE_EXCLUDES``, the one rule):
    its ``python -m autograder`` then offers only the learner's commands, with nothing to import that is
    not there."""
    try:
        if importlib.util.find_spec(f"autograder.{module}") is not None:
            return commands
    except ModuleNotFoundError:  # its whole folder left out (build/)
        pass
    return argparse.ArgumentParser(add_help=False).add_subparsers()


# argparse's own words (it looks each one up through gettext as it writes a help text or an error), in the
# learner's language: the catalogue's [cli.argparse]; any other of its words is left as it is
_ARGPARSE_WORDS = {
    "usage: ": "usage",
    "positional arguments": "positionals",
    "options": "options",
    "show this help message and exit": "help",
    "%(prog)s: error: %(message)s\n": "error",
    "the following arguments are required: %s": "required",
    "unrecognized arguments: %s": "unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "invalid_choice",
    "argument %(argument_name)s: %(message)s": "argument",
    "expected one argument": "expected_one",
    "invalid %(type)s value: %(value)r": "invalid_value",
}


def _argparse_word(message: str) -> str:
    key = _ARGPARSE_WORDS.get(message)
    return text(f"cli.argparse.{key}") if key else message


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help in the learner's language: section titles followed by the language's colon, help texts
    wrapped by display width and never inside a Chinese word (``results.wrap``); in Chinese each help text on
    the line under its option (argparse lines them up by characters, and a Chinese character takes two columns)."""

    def __init__(self, prog):
        super().__init__(prog, max_help_position=8 if language().startswith("zh") else 24)

    def _split_lines(self, help_text, width):
        # lazy: results brings numpy (0.18 s, python -X importtime, 2026-12-07), which `grade` imports only once
        # its sandbox has started (help texts alone need it)
        from autograder.grading.results import wrap

        return wrap(" ".join(help_text.split()), width=width, indent="")

    def format_help(self):
        out = super().format_help()
        colon = text("layout.colon").rstrip()
        for key in ("positionals", "options"):
            heading = text(f"cli.argparse.{key}")
            out = out.replace(f"\n{heading}:\n", f"\n{heading}{colon}\n")
        return out


def _learner_commands(commands) -> None:
    """The learner's commands (grade, report, submission, watch), their help in the learner's language."""
    path_help = text("cli.path")
    grade = commands.add_parser(
        "grade", help=text("cli.grade"), description=text("cli.grade"), formatter_class=_HelpFormatter
    )
    grade.add_argument("path", nargs="?", default="exercises", metavar=text("cli.metavar.path"), help=path_help)
    grade.add_argument("--html", metavar=text("cli.metavar.file"), help=text("cli.html"))
    report = commands.add_parser(
        "report", help=text("cli.report"), description=text("cli.report"), formatter_class=_HelpFormatter
    )
    report.add_argument("path", nargs="?", default="exercises", metavar=text("cli.metavar.path"), help=path_help)
    report.add_argument("--html", metavar=text("cli.metavar.file"), default="report.html", help=text("cli.html_page"))
    for command in (grade, report):
        for flag, kwargs in _shared_grade_options():
            command.add_argument(*flag, **kwargs)
        command.add_argument("--lang", metavar=text("cli.metavar.lang"), help=text("cli.lang"))
    commands.add_parser(
        "submission", help=text("cli.submission"), description=text("cli.submission"), formatter_class=_HelpFormatter
    )
    watch = commands.add_parser(
        "watch", help=text("cli.watch"), description=text("cli.watch"), formatter_class=_HelpFormatter
    )
    watch.add_argument(
        "path", nargs="?", default="exercises", metavar=text("cli.metavar.path"), help=text("cli.watch_path")
    )
    watch.add_argument(
        "--timeout", type=float, default=10.0, metavar=text("cli.metavar.seconds"), help=text("cli.timeout")
    )
    watch.add_argument("--public-only", action="store_true", help=text("cli.public_only"))
    watch.add_argument("--lang", metavar=text("cli.metavar.lang"), help=text("cli.lang"))


def parser() -> argparse.ArgumentParser:
    argparse._ = _argparse_word  # type: ignore[attr-defined]  # (argparse's module-level gettext name; the process is the command line's own)
    parser = argparse.ArgumentParser(
        prog="python -m autograder", description=text("cli.description"), formatter_class=_HelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _learner_commands(commands)
    batch = _offered(commands, "channels.batch").add_parser(
        "batch", help="grade a folder of submissions into a CSV gradebook"
    )
    batch.add_argument("folder", help="one sub-folder or .zip per student (or a Gradescope export)")
    batch.add_argument("--out", default="grades.csv", help="the CSV gradebook to write (default: grades.csv)")
    batch.add_argument("-j", "--jobs", type=int, default=None, help="submissions graded at once (default: CPUs)")
    batch.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="wall-clock limit for each call into a submission (default: 10)",
    )
    batch.add_argument(
        "--allow-weak-sandbox",
        action="store_true",
        help="grade even where this machine refuses namespaces (the CSV says so on every row)",
    )
    batch.add_argument(
        "--shard",
        metavar="K/N",
        help="grade only shard K of N of the folder (or k8s: from JOB_COMPLETION_INDEX and "
        "AUTOGRADER_SHARDS); combine the shards with `python -m autograder merge`",
    )
    _class_outputs(batch)
    merge = _offered(commands, "channels.shards").add_parser(
        "merge", help="combine the gradebooks of `batch --shard` runs into one"
    )
    merge.add_argument("shards", nargs="+", help="the CSV gradebook of each shard (its _reports folder beside it)")
    merge.add_argument("--out", default="grades.csv", help="the combined gradebook (default: grades.csv)")
    merge.add_argument("--lms-out", metavar="FILE", help="with --lms: the LMS's gradebook (default: <lms>.csv)")
    _class_outputs(merge)
    export = _offered(commands, "channels.export").add_parser(
        "export",
        help="(instructors) write the LMS gradebook and the class page of a graded run, from its saved "
        "reports (no regrade)",
    )
    export.add_argument("source", help="a run's CSV (grades.csv, its grades_reports/ beside it) or a reports folder")
    export.add_argument(
        "--out", metavar="FILE", help="with --lms: the LMS's gradebook (default: canvas.csv or moodle.csv)"
    )
    _class_outputs(export)
    doctor = _offered(commands, "channels.doctor").add_parser(
        "doctor",
        help="(instructors) before grading a class: the sandbox level this machine gives, why, and "
        "whether a channel would refuse to grade here",
    )
    doctor.add_argument(
        "--submissions", metavar="DIR", help="the folder of submissions: is it readable by the sandbox's user?"
    )
    doctor.add_argument(
        "--channel",
        choices=["batch", "gradescope", "nbgrader", "grade"],
        default="batch",
        help="the channel to check for (default: batch; gradescope, nbgrader and batch refuse below "
        "'namespaces' unless allowed)",
    )
    doctor.add_argument(
        "--allow-weak-sandbox", action="store_true", help="the channel is set to grade below 'namespaces' anyway"
    )
    gradescope = _offered(commands, "channels.gradescope").add_parser(
        "gradescope", help="(on Gradescope) grade /autograder/submission"
    )
    gradescope.add_argument("--root", default=None, help="instead of /autograder (or $GRADESCOPE_ROOT)")
    build = _offered(commands, "build.bundles").add_parser("build", help="(instructors) build a bundle into dist/")
    build.add_argument("what", choices=["release", "gradescope", "nbgrader"])
    build.add_argument("--dist", default=str(ROOT / "dist"), help="where to build (default: dist/)")
    build.add_argument(
        "--allow-weak-sandbox",
        action="store_true",
        help="(gradescope) grade even where the container refuses namespaces",
    )
    build.add_argument(
        "--lang",
        dest="build_lang",
        metavar="LANG",
        help="release: build only this language (en or zh_CN; default: both); gradescope, nbgrader: "
        "the language of the feedback and the notebooks (default: en)",
    )
    build.add_argument(
        "--hidden-visibility",
        choices=["after_published", "after_due_date"],
        default="after_published",
        help="(gradescope) when students see the hidden checks, and so their total: once you publish "
        "grades (default) or after the due date",
    )
    stubs = _offered(commands, "course.stubs").add_parser("stubs", help="regenerate exercises/ from solutions/")
    stubs.add_argument("--force", action="store_true", help="overwrite edited exercise files (a backup is kept)")
    return parser


def _shared_grade_options():
    """The options ``report`` shares with ``grade``: ``--json``, ``--timeout``, ``--public-only``, ``-k``,
    ``--debug``."""
    return [
        (("--json",), {"metavar": text("cli.metavar.file"), "help": text("cli.json")}),
        (
            ("--timeout",),
            {"type": float, "default": 10.0, "metavar": text("cli.metavar.seconds"), "help": text("cli.timeout")},
        ),
        (("--public-only",), {"action": "store_true", "help": text("cli.public_only")}),
        (("-k",), {"dest": "select", "metavar": text("cli.metavar.expr"), "help": text("cli.select")}),
        (("--debug",), {"action": "store_true", "help": text("cli.debug")}),
    ]


def _class_outputs(parser: argparse.ArgumentParser) -> None:
    """The output options of ``batch``, ``merge`` and ``export`` (the class page, the LMS's gradebook), declared
    once: ``export`` writes from a past run exactly what ``batch`` and ``merge`` write from theirs."""
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="also write a page for the whole class: flagged submissions, scores, pass rates, the mistakes made most",
    )
    parser.add_argument("--lang", metavar="LANG", help="language of the class page: en or zh_CN")
    parser.add_argument(
        "--lms",
        choices=["canvas", "moodle"],
        help="write a gradebook this LMS imports (batch: as --out; the plain CSV goes to <out stem>_batch.csv)",
    )
    parser.add_argument(
        "--roster",
        metavar="CSV",
        help="canvas: the CSV of Canvas's Grades > Export; moodle (optional): a Moodle export with "
        "the --id-field column, to check every identifier before Moodle does",
    )
    parser.add_argument(
        "--assignment",
        metavar='"NAME (ID)"',
        help='canvas: the assignment\'s column header in that export, e.g. "Backprop kit (123456)"',
    )
    parser.add_argument(
        "--id-field",
        choices=["email", "username", "idnumber"],
        help="moodle: the user field that identifies students (folder names, or a Gradescope export's e-mail or SID)",
    )
    parser.add_argument(
        "--points-possible",
        type=float,
        metavar="N",
        help="scale every total to N points, rounded to 2 decimals (Canvas: default the kit's "
        "total; Moodle: the grade item's maximum, 100 unless you changed it)",
    )
    parser.add_argument(
        "--grade-unreadable",
        action="store_true",
        help="give the LMS a grade (0 for what could not be read) for submissions the grader could "
        "not read (a damaged zip, an unreadable folder, misplaced files); by default they get "
        "no row and are listed instead",
    )
    parser.add_argument(
        "--similarity",
        metavar="DIR",
        nargs="?",
        const="",
        default=None,
        help="add to the class page the pairs of submissions far more alike than the class's usual "
        "(copydetect); DIR: the folder of submissions (batch: the one graded). Off by default: "
        "the page may be shown to the class",
    )
