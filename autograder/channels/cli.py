"""``python -m autograder``: run one command (:mod:`autograder.channels.cli_args` declares them all).

The sandbox (which imports torch) is started before this process imports
pytest and torch itself, so the two imports overlap. The other channels are imported by the command that
runs them: a student release lacks them (``bundles.RELEASE_EXCLUDES``), and each costs start-up time that the
learner's ``grade`` need not pay.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
import time
from pathlib import Path

from autograder.channels.cli_args import ROOT, parser
from autograder.channels.pack import submission
from autograder.course.registry import CourseError
from autograder.messages import CatalogueError, text


def _terminal() -> None:
    """Output that never stops the grader: a character the terminal's encoding lacks (what a learner's code
    printed, under a GBK console) is replaced, not an error; Windows consoles told to understand the
    escape sequences of ``watch``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]  # (AttributeError: not a TextIOWrapper)
        except (AttributeError, ValueError):
            pass
    if sys.platform == "win32":
        try:
            kernel = ctypes.windll.kernel32
            handle, mode = kernel.GetStdHandle(-11), ctypes.c_uint32()
            if kernel.GetConsoleMode(handle, ctypes.byref(mode)):
                kernel.SetConsoleMode(handle, mode.value | 0x0004)  # ENABLE_VIRTUAL_TERMINAL_PROCESSING
        except (AttributeError, OSError):
            pass


# what an output imports, by option and by the extra of pyproject.toml that brings it (module -> distribution)
EXTRAS = {
    "report": {"--html": {"matplotlib": "matplotlib"}},
    "instructor": {
        "--html": {"matplotlib": "matplotlib", "markdown_it": "markdown-it-py", "babel": "babel"},
        "--similarity": {"copydetect": "copydetect"},
    },
}


def _missing_extra(args, extra: str, make: str | None, nothing: str) -> bool:
    """Say so and return True when the options given need modules of ``extra`` that are not installed: checked
    before any work, so that an output imported lazily at the end does not end a graded class with a traceback.
    ``make``: the make command that installs the extra; ``nothing``: what was not done (a catalogue key)."""
    given = {"--html": getattr(args, "html", None), "--similarity": getattr(args, "similarity", None)}
    missing = False
    for option, modules in EXTRAS[extra].items():
        if given[option] is None:  # (not asked for: nothing looked up, a learner's `grade` pays nothing)
            continue
        names = [name for module, name in modules.items() if importlib.util.find_spec(module) is None]
        if names:
            how = text("report.needs_extra_make", make=make) if make else ""
            needs = text("report.needs_extra", option=option, modules=", ".join(names), extra=extra, how=how)
            print(f"error: {needs} {text(nothing)}", file=sys.stderr)
            missing = True
    return missing


def _grade(args) -> int:
    # lazy (each command's own imports, here and below): the sandbox's modules cost 0.13 s (python -X importtime,
    # 2026-12-07), which --help and the instructor's commands need not pay
    from autograder.grading.sandboxes import course_sandbox
    from autograder.sandbox.client import Limits

    path = Path(args.path)
    if not path.exists():
        print(f"error: {text('report.no_path', path=path)}", file=sys.stderr)
        return 2
    if _missing_extra(args, "report", "make report", "report.nothing_graded"):
        return 2
    if args.html:
        os.environ["AUTOGRADER_FIGURES"] = "1"  # the checks compute the extra data the pictures need
    started = time.monotonic()
    sandbox = course_sandbox(once=True)  # starts importing torch in the background right away
    try:
        # lazy: the runner (pytest, the checks: 0.31 s) is imported while the sandbox imports torch
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
        from autograder.reports.html_report import write_html  # lazy: 0.18 s, and only for --html

        written = write_html(report, Path(args.html), str(args.path))
        print(text("report.html_written", path=written.resolve()))
    return 0


def _watch(args) -> int:
    from autograder.channels.watch import run  # lazy: with its runner, 0.3-0.5 s (importtime, under load)
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
    # lazy: batch, export and shards are the instructor's (absent from a student release), 0.57 s with the
    # class page's numpy
    from autograder.channels.batch import WeakSandbox, run_batch
    from autograder.channels.export import lms_target, similarity_folder, write_outputs
    from autograder.channels.shards import ShardError, parse_shard
    from autograder.grading.class_folder import skipped
    from autograder.reports.classrun import load_run
    from autograder.reports.lms_rosters import LmsError
    from autograder.sandbox.client import Limits

    folder, out = Path(args.folder), Path(args.out)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder of submissions", file=sys.stderr)
        return 2
    if _missing_extra(args, "instructor", "make batch HTML=...", "report.nothing_graded"):
        return 2
    loose = skipped(folder)
    if loose:  # said before the grading, which would otherwise pass over them without a word
        print(
            f"note: not graded, as neither a folder nor a .zip: {', '.join(loose)} "
            "(give each student a folder of their own, or a .zip)",
            file=sys.stderr,
        )
    try:  # a wrong roster or option is refused now, not after a class has been graded
        target = lms_target(args)
    except LmsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for note in target.notes if target else ():
        print(f"note: {note}", file=sys.stderr)
    similarity = similarity_folder(args, folder)
    if similarity is False:
        return 2
    shard = None
    if args.shard:
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
        for line in write_outputs(results, out, target, args.html, similarity):
            print(line)
    return 0


def _build(args) -> int:
    # lazy: the builders are the instructor's (absent from a student release, which never offers `build`)
    from autograder.build import bundles

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
                    from autograder.build.notebooks import build_course  # lazy: needs nbformat (nbgrader's)

                    built = [build_course(dist / "nbgrader", lang=lang)]
    except bundles.BUILD_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in built:
        print(f"Built {path}")
    return 0


def _stubs(args) -> int:
    from autograder.course.stubs import MarkerError, write_stubs  # lazy: absent from a student release

    try:
        outcomes = write_stubs(ROOT / "solutions", ROOT / "exercises", force=args.force)
    except MarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(outcome.describe())
    return 1 if any(o.action == "kept-edits" for o in outcomes) else 0


def _merge(args) -> int:
    from autograder.channels.shards import ShardError, merge  # lazy: the instructor's (see _batch)

    if _missing_extra(args, "instructor", None, "report.nothing_written"):
        return 2
    try:
        count = merge([Path(p) for p in args.shards], Path(args.out))
    except ShardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Merged {len(args.shards)} shard(s): {count} submissions in {args.out}")
    if args.html or args.lms:
        args.source, args.out = args.out, args.lms_out
        return _export(args)
    return 0


def _export(args) -> int:
    from autograder.channels.export import run  # lazy: the instructor's (see _batch)

    if _missing_extra(args, "instructor", None, "report.nothing_written"):
        return 2
    return run(args)


def _doctor(args) -> int:
    from autograder.channels.doctor import run  # lazy: the instructor's (see _batch)

    return run(args)


def _gradescope(args) -> int:
    from autograder.channels.gradescope import run  # lazy: the instructor's (see _batch)

    return run(args.root)


COMMANDS = {
    "grade": _grade,
    "report": _grade,
    "submission": lambda args: submission(ROOT),
    "watch": _watch,
    "batch": _batch,
    "merge": _merge,
    "export": _export,
    "doctor": _doctor,
    "build": _build,
    "gradescope": _gradescope,
    "stubs": _stubs,
}


def main(argv: list[str] | None = None) -> int:
    _terminal()
    args = parser().parse_args(argv)
    if getattr(args, "lang", None):
        os.environ["AUTOGRADER_LANG"] = args.lang
    try:
        return COMMANDS[args.command](args)
    except (CourseError, CatalogueError) as exc:  # a broken declaration or text file: name it, no traceback
        print(f"error: the course's files are inconsistent: {exc}", file=sys.stderr)
        return 2
