"""One self-contained page for a whole class (``batch``/``merge``/``export ... --html class.html``): what to act on.

From the per-student JSON reports that ``batch`` writes (nothing is graded again), in this order:

* the **flagged submissions**, named, with their status and notes (could not be read, empty, a
  file missing, could not be imported, crashed, timed out, nothing implemented, a grader error):
  the ones to look at before publishing grades;
* the score distribution of each exercise;
* the pass rate of every check over the submissions that attempted its function (a function still
  raising ``NotImplementedError``, or its file missing, is counted apart as "not attempted");
* the classic mistakes the class made most, counted by the hint each submission received, each
  with one example message, anonymised (no student name, no file path);
* with ``--similarity``, the pairs of submissions far more alike than the class's usual
  (:mod:`autograder.reports.similarity`), side by side. Off by default: the rest of the page may be shown
  to the class, this section may not.

Texts come from the catalogue of the chosen language; counts use the language's plural rules
(Babel's CLDR data: "1 student", "2 students"; Chinese has one form); the catalogue's `code spans`
are rendered as code by a Markdown parser (markdown-it-py, raw HTML off). The pictures are drawn with
matplotlib, inline.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from autograder import messages
from autograder.course import registry
from autograder.grading.results import write_atomic
from autograder.messages import text
from autograder.reports.classrun import Submission
from autograder.reports.html_report import STYLE, Labels, pyplot
from autograder.reports.similarity import read_class, similar_pairs

MAX_MISTAKES = 15
PAGE_STYLE = (
    STYLE
    + """
table.flagged td, table.rates td { border-bottom: 1px solid #eee; } td.num { white-space: nowrap; }
.flag { color: #cf222e; font-weight: 600; }
code { background: #f6f8fa; padding: 0 0.25em; border-radius: 3px; }
div.pair { display: flex; gap: 1em; } div.pair pre { flex: 1; max-width: none; font-size: 0.8em; }
mark { background: #fff1a8; }
"""
)


# ----------------------------------------------------------------------------- texts


def plural(key: str, count, **fields) -> str:
    """``key.<form>`` for ``count`` in the current language (CLDR plural rules, via Babel), filled in."""
    from babel import Locale  # lazy: Babel is in the [instructor] extra only; `batch` without --html never needs it

    form = Locale.parse(messages.language()).plural_form(count)
    chosen = f"{key}.{form}" if messages.has(f"{key}.{form}") else f"{key}.other"
    return text(chosen, count=count, **fields)


_MARKDOWN = None


def inline_markdown(value: str) -> str:
    """A catalogue text as HTML: its `code spans` as <code>, everything else escaped (no raw HTML)."""
    global _MARKDOWN
    if _MARKDOWN is None:
        from markdown_it import MarkdownIt  # lazy: in the [instructor] extra only (see plural)

        _MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).disable(["link", "image"])
    return _MARKDOWN.renderInline(value)


def anonymise(message: str, students: list[str]) -> str:
    """A message with no student's name and no path in it (paths could name a student's folder)."""
    for student in sorted(students, key=len, reverse=True):
        if len(student) >= 3:
            message = message.replace(student, "…")
    return re.sub(r"(/[\w.\-]+){2,}", "…", message)


def _image(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _distribution(exercise: str, scores: list[float], out_of: float, label: Labels) -> str:
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator  # lazy: after pyplot() picks its backend (see html_report.pyplot)

    context = {"font.family": [label.font, "DejaVu Sans"]} if label.font else {}
    with plt.rc_context({**context, "font.size": 8}):
        fig = plt.figure(figsize=(4.2, 2.6), dpi=100, layout="constrained")
        ax = fig.add_subplot()
        ax.hist(scores, bins=np.linspace(0, max(out_of, 1.0), 11), color="tab:blue", edgecolor="white")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # a count of students: no half students
        ax.set_xlabel(label("figure.class_points"))
        ax.set_ylabel(label("figure.class_students"))
        ax.set_title(exercise)
        return _image(fig)


# ----------------------------------------------------------------------------- sections

_SEVERITY = (
    "damaged zip",
    "not readable",
    "wrong place",
    "grader error",
    "nothing could be graded",
    "empty",
    "missing",
    "could not be imported",
    "crashed",
    "timed out",
    "nothing implemented",
)


def _severity(status: str) -> int:
    return next((i for i, words in enumerate(_SEVERITY) if words in status), len(_SEVERITY))


def _flagged(results: list[Submission]) -> list[str]:
    flagged = sorted((r for r in results if r.status != "ok"), key=lambda r: (_severity(r.status), r.student))
    body = [f"<h2 id='flagged'>{html.escape(plural('class.flagged', len(flagged)))}</h2>"]
    if not flagged:
        return body + [f"<p>{html.escape(text('class.none_flagged'))}</p>"]
    body.append(
        f"<table class='flagged'><tr><th>{html.escape(text('class.student'))}</th>"
        f"<th>{html.escape(text('class.status'))}</th><th>{html.escape(text('class.points'))}</th>"
        f"<th>{html.escape(text('class.notes'))}</th></tr>"
    )
    for result in flagged:
        report = result.report
        points = f"{report.score:g} / {report.max_score:g}" if report else "–"
        notes = "<br>".join(html.escape(note) for note in result.notes)
        body.append(
            f"<tr><td>{html.escape(result.student)}</td><td class='flag'>{html.escape(result.status)}"
            f"</td><td class='num'>{points}</td><td>{notes}</td></tr>"
        )
    return body + ["</table>"]


def _pass_rates(results: list[Submission]) -> list[str]:
    passed: Counter[str] = Counter()
    attempted: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for result in results:
        absent = set(result.unattempted)
        for t in result.report.tests if result.report else []:
            if t.name in absent:
                skipped[t.name] += 1
                continue
            attempted[t.name] += 1
            passed[t.name] += t.status == "passed"
    names = sorted(set(attempted) | set(skipped), key=lambda n: (passed[n] / attempted[n] if attempted[n] else 2, n))
    body = [
        f"<h2>{html.escape(text('class.pass_rates'))}</h2>",
        f"<p>{html.escape(text('class.pass_rates_over'))}</p><table class='rates'>",
        f"<tr><th>{html.escape(text('class.check'))}</th><th>{html.escape(text('class.passed'))}</th>"
        f"<th>{html.escape(text('class.not_attempted'))}</th></tr>",
    ]
    for name in names:
        rate = passed[name] / attempted[name] if attempted[name] else 0.0
        bar = f"<span style='display:inline-block;background:#1a7f37;height:0.8em;width:{rate * 10:.1f}em'></span>"
        shown = f"{bar} {passed[name]}/{attempted[name]}" if attempted[name] else "–"
        body.append(
            f"<tr><td>{inline_markdown(str(name))}</td><td class='num'>{shown}</td>"
            f"<td class='num'>{skipped[name] or ''}</td></tr>"
        )
    return body + ["</table>"]


def _unfilled(hint: str) -> str:
    """A hint as the class page shows it for many submissions: its fields (a ratio, a shape), which differ from one
    submission to the next, shown as "…" (each submission's own is in its message)."""
    return re.sub(r"\{\w+\}", "…", text(hint))


def _mistakes(results: list[Submission]) -> list[str]:
    students = [r.student for r in results] + [r.folder for r in results]
    who: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    example: dict[tuple[str, str], str] = {}
    for result in results:
        for t in result.report.tests if result.report else []:
            if t.status != "passed" and t.hint and messages.has(t.hint):
                key = (t.hint, t.function)
                who[key].add(result.student)
                example.setdefault(key, t.message)
    body = [f"<h2>{html.escape(text('class.mistakes'))}</h2>"]
    if not who:
        body.append(f"<p>{html.escape(text('class.no_mistakes'))}</p>")
    for (hint, function), names in sorted(who.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:MAX_MISTAKES]:
        body.append(
            f"<h3>{inline_markdown(plural('class.mistake_count', len(names), function=function))}</h3>"
            f"<p>{inline_markdown(_unfilled(hint))}</p>"
            f"<details><summary>{html.escape(text('class.example'))}</summary>"
            f"<pre>{html.escape(anonymise(example[(hint, function)], students))}</pre></details>"
        )
    return body


def _marked(code: str, ranges: list) -> str:
    out, last = [], 0
    for start, end in sorted(ranges):
        start, end = max(start, last), min(end, len(code))
        if start >= end:
            continue
        out.append(html.escape(code[last:start]) + "<mark>" + html.escape(code[start:end]) + "</mark>")
        last = end
    return "".join(out) + html.escape(code[last:])


def _similarity(results: list[Submission], submissions: Path) -> list[str]:
    pairs = similar_pairs(read_class(submissions, {r.student: r.folder for r in results}))
    body = [
        f"<h2 id='similar'>{html.escape(plural('class.similar', len(pairs)))}</h2>",
        f"<p>{html.escape(text('class.similar_intro'))}</p>",
    ]
    for pair in pairs:
        body.append(
            f"<h3>{html.escape(pair.first)} · {html.escape(pair.second)} — {html.escape(pair.exercise)}: "
            f"{html.escape(text('class.similar_share', share=f'{pair.share:.0%}'))}</h3><div class='pair'>"
            + "".join(f"<pre>{_marked(code, marks)}</pre>" for code, marks in zip(pair.code, pair.marked, strict=True))
            + "</div>"
        )
    return body


def render_page(results: list[Submission], submissions: Path | None = None) -> str:
    """The class page of ``results`` (as :func:`classrun.load_run` reads them); ``submissions``: the folder of
    submissions, for the similarity section (None: no such section)."""
    label = Labels()
    course = registry.course(include_hidden=True)
    title = plural("class.title", len(results))
    body = [f"<h1>{html.escape(title)}</h1>"]
    body += _flagged(results)
    body.append(f"<h2>{html.escape(text('class.distribution'))}</h2><div>")
    reports = [r.report for r in results if r.report]
    for exercise in course.exercises:
        scores = [sum(t.score for t in r.tests if t.exercise == exercise.name) for r in reports]
        if scores:
            src = _distribution(exercise.name, scores, exercise.points, label)
            body.append(f"<img alt='{html.escape(exercise.name)}' src='{src}'>")
    body.append("</div>")
    body += _pass_rates(results)
    body += _mistakes(results)
    if submissions is not None:
        body += _similarity(results, submissions)
    lang = "zh-CN" if messages.language().startswith("zh") else "en"
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_class_page(results: list[Submission], out: Path, submissions: Path | None = None) -> Path:
    write_atomic(Path(out), render_page(results, submissions))
    return Path(out)
