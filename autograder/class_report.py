"""One self-contained page for a whole class (``batch ... --html class.html``): what to reteach on Monday.

From the per-student JSON reports that ``batch`` writes (nothing is graded
again): the score distribution of each exercise, the pass rate of every
check, and the classic mistakes the class made most, counted by the hint
each submission received ("31 students: averaged inside `squared_loss`"),
each with one example message, anonymised (no student name, no file path).
In the chosen language; the pictures are drawn with matplotlib, inline.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from . import messages, registry
from .html_report import STYLE, Labels, _pyplot
from .messages import text

MAX_MISTAKES = 15


def load_reports(reports_dir: Path) -> dict[str, dict]:
    """Student -> their report (the JSON ``batch`` wrote), skipping unreadable files."""
    reports = {}
    for path in sorted(Path(reports_dir).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and isinstance(data.get("tests"), list):
            reports[path.stem] = data
    return reports


def anonymise(message: str, students: list[str]) -> str:
    """A message with no student's name and no path in it (paths could name a student's folder)."""
    for student in sorted(students, key=len, reverse=True):
        if len(student) >= 3:
            message = message.replace(student, "…")
    return re.sub(r"(/[\w.\-]+){2,}", "…", message)


def _image(fig) -> str:
    import base64
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    _pyplot().close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _distribution(exercise: str, scores: list[float], out_of: float, label: Labels) -> str:
    plt = _pyplot()
    context = {"font.family": [label.font, "DejaVu Sans"]} if label.font else {}
    with plt.rc_context({**context, "font.size": 8}):
        fig = plt.figure(figsize=(4.2, 2.6), dpi=100, layout="constrained")
        ax = fig.add_subplot()
        ax.hist(scores, bins=np.linspace(0, max(out_of, 1.0), 11), color="tab:blue", edgecolor="white")
        ax.set_xlabel(label("figure.class_points"))
        ax.set_ylabel(label("figure.class_students"))
        ax.set_title(exercise)
        return _image(fig)


def render_class(reports: dict[str, dict]) -> str:
    label = Labels()
    course = registry.course(include_hidden=True)
    students = list(reports)
    body = [f"<h1>{html.escape(text('class.title', count=len(reports)))}</h1>"]
    # score distribution per exercise
    body.append(f"<h2>{html.escape(text('class.distribution'))}</h2><div>")
    for exercise in course.exercises:
        scores = [sum(t.get("score", 0.0) for t in r["tests"] if t.get("exercise") == exercise.name)
                  for r in reports.values()]
        if scores:
            src = _distribution(exercise.name, scores, exercise.points, label)
            body.append(f"<img alt='{html.escape(exercise.name)}' src='{src}'>")
    body.append("</div>")
    # pass rate of every check
    passed, ran = Counter(), Counter()
    for report in reports.values():
        for t in report["tests"]:
            ran[t.get("name")] += 1
            passed[t.get("name")] += t.get("status") == "passed"
    body.append(f"<h2>{html.escape(text('class.pass_rates'))}</h2><table>")
    body.append(f"<tr><th>{html.escape(text('class.check'))}</th><th>{html.escape(text('class.passed'))}</th></tr>")
    for name in sorted(ran, key=lambda n: passed[n] / ran[n]):
        rate = passed[name] / ran[name]
        bar = f"<span style='display:inline-block;background:#1a7f37;height:0.8em;width:{rate * 10:.1f}em'></span>"
        body.append(f"<tr><td>{html.escape(str(name))}</td><td>{bar} {passed[name]}/{ran[name]}</td></tr>")
    body.append("</table>")
    # the classic mistakes, counted by the hint each submission received
    who, example = defaultdict(set), {}
    for student, report in reports.items():
        for t in report["tests"]:
            hint = t.get("hint") or ""
            if t.get("status") != "passed" and hint and messages.has(hint):
                key = (hint, t.get("function", ""))
                who[key].add(student)
                example.setdefault(key, t.get("message", ""))
    body.append(f"<h2>{html.escape(text('class.mistakes'))}</h2>")
    if not who:
        body.append(f"<p>{html.escape(text('class.no_mistakes'))}</p>")
    for (hint, function), names in sorted(who.items(), key=lambda kv: -len(kv[1]))[:MAX_MISTAKES]:
        body.append(f"<h3>{html.escape(text('class.mistake_count', count=len(names), function=function))}</h3>"
                    f"<p>{html.escape(text(hint))}</p>"
                    f"<details><summary>{html.escape(text('class.example'))}</summary>"
                    f"<pre>{html.escape(anonymise(example[(hint, function)], students))}</pre></details>")
    lang = "zh-CN" if messages.language().startswith("zh") else "en"
    return (f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{html.escape(text('class.title', count=len(reports)))}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def write_class_html(reports_dir: Path, out: Path) -> Path:
    from .results import write_atomic

    write_atomic(Path(out), render_class(load_reports(reports_dir)))
    return Path(out)
