"""``python -m autograder``: grade a submission, or regenerate the exercise stubs.

The sandbox (which imports torch) is started before this process imports
pytest and torch itself, so the two imports overlap.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from pathlib import Path

from autograder.messages import text

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
        from autograder.messages import language

        super().__init__(prog, max_help_position=8 if language().startswith("zh") else 24)

    def _split_lines(self, help_text, width):
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


def _parser() -> argparse.ArgumentParser:
    argparse._ = _argparse_word  # (argparse's module-level gettext name; the process is the command line's own)
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
    batch.add_argument(
        "--html",
        metavar="FILE",
        help="also write a page for the whole class: scores, pass rates, the mistakes made most",
    )
    batch.add_argument("--lang", metavar="LANG", help="language of the class page: en or zh_CN")
    batch.add_argument(
        "--lms",
        choices=["canvas", "moodle"],
        help="write --out as a gradebook this LMS imports (the plain CSV goes to <out stem>_batch.csv)",
    )
    batch.add_argument(
        "--roster",
        metavar="CSV",
        help="canvas: the CSV of Canvas's Grades > Export; moodle (optional): a Moodle export with "
        "the --id-field column, to check every identifier before Moodle does",
    )
    batch.add_argument(
        "--assignment",
        metavar='"NAME (ID)"',
        help='canvas: the assignment\'s column header in that export, e.g. "Backprop kit (123456)"',
    )
    batch.add_argument(
        "--id-field",
        choices=["email", "username", "idnumber"],
        help="moodle: the user field that identifies students (folder names, or a Gradescope export's e-mail or SID)",
    )
    try:
        from autograder.channels.export import add_options
    except ImportError:  # a student release: neither batch, merge nor export is offered

        def add_options(parser, grading=False):
            return None

    add_options(batch, grading=True)
    merge = _offered(commands, "channels.shards").add_parser(
        "merge", help="combine the gradebooks of `batch --shard` runs into one"
    )
    merge.add_argument("shards", nargs="+", help="the CSV gradebook of each shard (its _reports folder beside it)")
    merge.add_argument("--out", default="grades.csv", help="the combined gradebook (default: grades.csv)")
    merge.add_argument("--lms-out", metavar="FILE", help="with --lms: the LMS's gradebook (default: <lms>.csv)")
    add_options(merge)
    export = _offered(commands, "channels.export").add_parser(
        "export",
        help="(instructors) write the LMS gradebook and the class page of a graded run, from its saved "
        "reports (no regrade)",
    )
    export.add_argument("source", help="a run's CSV (grades.csv, its grades_reports/ beside it) or a reports folder")
    export.add_argument(
        "--out", metavar="FILE", help="with --lms: the LMS's gradebook (default: canvas.csv or moodle.csv)"
    )
    add_options(export)
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
    """The options ``report`` shares with ``grade`` (``--json``, ``--timeout``, ``--public-only``, ``-k``, ``--debug``)."""
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


def _terminal() -> None:
    """Output that never stops the grader: a character the terminal's encoding lacks (what a learner's code
    printed, under a GBK console) is replaced, not an error; Windows consoles told to understand the
    escape sequences of ``watch``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
    if sys.platform == "win32":
        try:
            import ctypes

            kernel = ctypes.windll.kernel32
            handle, mode = kernel.GetStdHandle(-11), ctypes.c_uint32()
            if kernel.GetConsoleMode(handle, ctypes.byref(mode)):
                kernel.SetConsoleMode(handle, mode.value | 0x0004)  # ENABLE_VIRTUAL_TERMINAL_PROCESSING
        except (AttributeError, OSError):
            pass


def _grade(args) -> int:
    from autograder.grading.sandboxes import course_sandbox
    from autograder.sandbox.client import Limits

    path = Path(args.path)
    if not path.exists():
        print(f"error: {text('report.no_path', path=path)}", file=sys.stderr)
        return 2
    if args.html:
        os.environ["AUTOGRADER_FIGURES"] = "1"  # the checks compute the extra data the pictures need
    started = time.monotonic()
    sandbox = course_sandbox(once=True)  # starts importing torch in the background right away
    try:
        from autograder.grading.runner import GraderError, grade

        limits = Limits(call_seconds=args.timeout, import_seconds=args.timeout)
        try:
            report = grade(
                path,
                sandbox=sandbox,
                limits=limits,
                include_hidden=False if args.public_only else None,
                select=args.select,
            )
        except GraderError as exc:
            print(text("report.grader_failed", error=exc), file=sys.stderr)
            return 3
    finally:
        sandbox.close()
    print(report.render(str(args.path)))
    if args.debug:
        for test in report.tests:
            if test.debug:
                print(f"\n--- grader traceback for {test.name!r} ---\n{test.debug}")
    print(text("report.graded_in", seconds=f"{time.monotonic() - started:.1f}"))
    if args.json:
        report.write_json(Path(args.json))
        print(text("report.json_written", path=args.json))
    if args.html:
        from autograder.reports.html_report import write_html

        written = write_html(report, Path(args.html), str(args.path))
        print(text("report.html_written", path=written.resolve()))
    return 0


def _watch(args) -> int:
    from autograder.channels.watch import run
    from autograder.sandbox.client import Limits

    path = Path(args.path)
    if not path.is_dir():
        print(f"error: {text('report.no_path', path=path)}", file=sys.stderr)
        return 2
    return run(
        path,
        limits=Limits(call_seconds=args.timeout, import_seconds=args.timeout),
        include_hidden=False if args.public_only else None,
    )


def _batch(args) -> int:
    from autograder.channels.batch import WeakSandbox, run_batch
    from autograder.sandbox.client import Limits

    folder, out = Path(args.folder), Path(args.out)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder of submissions", file=sys.stderr)
        return 2
    from autograder.channels.export import _similarity_folder, lms_target, load_run, write_outputs
    from autograder.channels.lms import LmsError

    try:  # a wrong roster or option is refused now, not after a class has been graded
        target = lms_target(args)
    except LmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for note in target.notes if target else ():
        print(f"note: {note}", file=sys.stderr)
    similarity = _similarity_folder(args, folder)
    if similarity is False:
        return 2
    shard = None
    if args.shard:
        from autograder.channels.shards import ShardError, parse_shard

        try:
            shard = parse_shard(args.shard)
        except ShardError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if target:
            print(
                "error: --shard writes a plain gradebook: merge the shards, then export (--lms) from one run",
                file=sys.stderr,
            )
            return 2
    started = time.monotonic()
    try:
        rows = run_batch(
            folder,
            out,
            jobs=args.jobs,
            limits=Limits(call_seconds=args.timeout, import_seconds=args.timeout),
            allow_weak=args.allow_weak_sandbox,
            lms=target is not None,
            shard=shard,
        )
    except WeakSandbox as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    flagged = [row for row in rows if row["status"] != "ok"]
    plain = out.with_name(f"{out.stem}_batch.csv") if target else out
    print(
        f"Graded {len(rows)} submissions in {time.monotonic() - started:.0f} s: "
        f"{plain} and {out.with_name(out.stem + '_reports')}/ ({len(flagged)} flagged in the status column)"
    )
    for row in flagged:
        print(f"  {row['student']}: {row['total']} points, {row['status']}")
    # the class page and the LMS's file from the reports just written: what `export` does from them later
    if args.html or target:
        results = load_run(out.with_name(out.stem + "_reports")) if rows else []
        for line in write_outputs(results, out, target, args.html, similarity, allowed_weak=args.allow_weak_sandbox):
            print(line)
    return 0


def _build(args) -> int:
    try:
        from autograder.build import bundles
    except ImportError:
        print("error: building bundles needs the full kit; a student release cannot", file=sys.stderr)
        return 2
    dist = Path(args.dist)
    dist.mkdir(parents=True, exist_ok=True)
    try:
        if args.what == "release":
            langs = [args.build_lang] if args.build_lang else list(bundles.RELEASE_LANGUAGES)
            built = bundles.build_releases(dist, langs)
        else:
            lang = bundles.bundle_language(
                args.build_lang, "Gradescope bundle" if args.what == "gradescope" else "nbgrader course"
            )
            with bundles.in_language(lang):  # the texts built in, whatever the instructor's locale
                if args.what == "gradescope":
                    built = [
                        bundles.build_gradescope(
                            dist,
                            allow_weak_sandbox=args.allow_weak_sandbox,
                            lang=lang,
                            hidden_visibility=args.hidden_visibility,
                        )
                    ]
                else:
                    from autograder.build.notebooks import build_course

                    built = [build_course(dist / "nbgrader", lang=lang)]
    except bundles.BUILD_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in built:
        print(f"Built {path}")
    return 0


def _stubs(args) -> int:
    try:
        from autograder.course.stubs import MarkerError, write_stubs
    except ImportError:
        print("error: `stubs` needs the full kit (solutions/); a student release has no solutions", file=sys.stderr)
        return 2

    try:
        outcomes = write_stubs(ROOT / "solutions", ROOT / "exercises", force=args.force)
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(outcome.describe())
    return 1 if any(o.action == "kept-edits" for o in outcomes) else 0


def main(argv: list[str] | None = None) -> int:
    from autograder.course.registry import CourseError
    from autograder.messages import CatalogueError

    _terminal()
    args = _parser().parse_args(argv)
    if getattr(args, "lang", None):
        os.environ["AUTOGRADER_LANG"] = args.lang
    try:
        return _run(args)
    except (CourseError, CatalogueError) as exc:  # a broken declaration or text file: name it, no traceback
        print(f"error: the course's files are inconsistent: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:
    if args.command in ("grade", "report"):
        return _grade(args)
    if args.command == "submission":
        from autograder.channels.launch import submission

        return submission()
    if args.command == "batch":
        return _batch(args)
    if args.command == "watch":
        return _watch(args)
    if args.command == "merge":
        from autograder.channels.shards import ShardError, merge

        try:
            count = merge([Path(p) for p in args.shards], Path(args.out))
        except ShardError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"Merged {len(args.shards)} shard(s): {count} submissions in {args.out}")
        if args.html or args.lms:
            args.source, args.out = args.out, args.lms_out
            from autograder.channels.export import run as export

            return export(args)
        return 0
    if args.command == "export":
        from autograder.channels.export import run as export

        return export(args)
    if args.command == "doctor":
        from autograder.channels.doctor import run as doctor

        return doctor(args)
    if args.command == "build":
        return _build(args)
    if args.command == "gradescope":
        from autograder.channels.gradescope import run

        return run(args.root)
    return _stubs(args)
