"""One self-contained HTML report with pictures of the learner's own run (``grade --html FILE``, ``make report``).

The same table and messages as the terminal report, in the chosen
language, and next to each exercise the pictures its checks recorded
(:mod:`autograder.checking.figures`), drawn here with matplotlib from plain numbers:
a failing check shows its pictures next to its message, a passing exercise
its pictures small. Images are inline PNGs; the page loads nothing from
anywhere. Only this module imports matplotlib, so ``make grade`` never does.

Labels inside the pictures come from the message catalogue. Chinese labels
need a CJK font: one is used where the machine has it, and otherwise the
pictures are labelled in English (never with empty boxes).
"""

from __future__ import annotations

import base64
import html
import io
import textwrap
import warnings
from pathlib import Path

import numpy as np

from autograder import messages
from autograder.course import registry
from autograder.grading.results import CheckResult, Report, problem_entries, write_atomic
from autograder.messages import text

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
    "Microsoft YaHei",
    "SimHei",  # Windows
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Arial Unicode MS",
)  # macOS


def pyplot():
    """matplotlib's pyplot, drawing to images (the Agg backend), imported on first use."""
    # lazy, here and in cjk_font: matplotlib is the [report] extra, and costs 0.41 s of start-up (python -X importtime,
    # 2026-12-07) that a class graded without --html never pays
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def cjk_font() -> str | None:
    """The name of an installed font with Chinese characters, or None."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    found = next((name for name in CJK_FONTS if name in installed), None)
    if found is None:  # matplotlib's font cache predates a font installed since: look on disk once
        for path in font_manager.findSystemFonts():
            if any(part in Path(path).name for part in ("CJK", "wqy", "SourceHanSans", "NotoSansSC", "uming")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
        installed = {font.name for font in font_manager.fontManager.ttflist}
        found = next((name for name in CJK_FONTS if name in installed), None)
    return found


class Labels:
    """Texts inside the pictures: the report's language where the pictures can show it, else English."""

    def __init__(self):
        self.lang = messages.language()
        self.font = None
        if self.lang != "en":
            self.font = cjk_font()
            if self.font is None:
                self.lang = "en"

    def __call__(self, key: str, **fields) -> str:
        template = messages._load(self.lang).get(key) or messages._load("en").get(key, key)
        return template.format(**fields) if fields else template


# ----------------------------------------------------------------- one drawing per kind of figure


def _tangent(ax, f, label):
    w, x, y = f["w"], f["x"], f["y"]
    ws = np.linspace(w - 2.0, w + 2.0, 200)
    ax.plot(ws, (ws * x - y) ** 2, color="0.3", label=label("figure.loss_of_sample"))
    at = (w * x - y) ** 2
    span = np.linspace(w - 1.0, w + 1.0, 2)
    ax.plot(span, at + f["true_slope"] * (span - w), "--", color="tab:green", label=label("figure.true_tangent"))
    ax.plot(span, at + f["slope"] * (span - w), color="tab:red", label=label("figure.your_tangent"))
    ax.plot([w], [at], "o", color="black")
    ax.set_xlabel("w")
    ax.set_title(label("figure.tangent_title", w=w, x=x, y=y))


def _line_fit(ax, f, label):
    x, y = np.asarray(f["x"], float), np.asarray(f["y"], float)
    ax.scatter(x, y, s=8, color="0.6", label=label("figure.data"))
    xs = np.linspace(x.min(), x.max(), 2)
    (w1, b1), (w2, b2) = f["least_squares"], f["learner"]
    ax.plot(xs, w1 * xs + b1, "--", color="tab:green", label=label("figure.least_squares"))
    ax.plot(xs, w2 * xs + b2, color="tab:red", label=label("figure.your_line"))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(label("figure.line_title"))


def _against_diagonal(ax, truth, got, size, names):
    """``got`` against ``truth``, point by point, beside the diagonal where the two agree (a gradient against
    autograd's, a network's fit against its target). ``names``: the diagonal's, the points', the axes', the title."""
    truth, got = np.asarray(truth, float), np.asarray(got, float)
    low, high = float(min(got.min(), truth.min())), float(max(got.max(), truth.max()))
    diagonal, points, xlabel, ylabel, title = names
    ax.plot([low, high], [low, high], "--", color="tab:green", label=diagonal)
    ax.scatter(truth, got, s=size, color="tab:red", label=points)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)


def _grad_compare(ax, f, label):
    _against_diagonal(
        ax,
        f["expected"],
        f["learner"],
        14,
        (
            label("figure.agreement"),
            label("figure.your_values"),
            label("figure.analytic"),
            label("figure.numerical"),
            label("figure.grad_title", name=f.get("name", "")),
        ),
    )


def _loss_curve(ax, f, label):
    # a diverging run reaches inf (recorded as None) or absurd values: drawn up to where it leaves the page
    losses = [v if v is not None and abs(v) < 1e30 else np.nan for v in f["losses"]]
    epochs = range(1, len(losses) + 1)
    if f.get("reference"):
        reference = [v for v in f["reference"] if v is not None]
        ax.plot(
            range(1, len(reference) + 1),
            reference,
            "--o",
            color="tab:green",
            label=label("figure.reference_loop"),
            markersize=3,
        )
    ax.plot(epochs, losses, "-o", color="tab:red", label=label("figure.your_losses"), markersize=3)
    finite = [v for v in losses if np.isfinite(v)]
    if finite and min(finite) > 0:
        ax.set_yscale("log")
    ax.set_xlabel(label("figure.epoch"))
    ax.set_ylabel(label("figure.loss"))
    ax.set_title(label("figure.curve_title", function=f.get("function", "")))


def _parameters(ax, f, label):
    names = f["names"]
    positions = np.arange(len(names))
    ax.bar(positions - 0.2, f["truth"], width=0.4, color="tab:green", label=label("figure.true_values"))
    ax.bar(
        positions + 0.2,
        [v if v is not None else 0.0 for v in f["learner"]],
        width=0.4,
        color="tab:red",
        label=label("figure.your_values"),
    )
    ax.set_xticks(positions, names)
    ax.axhline(0, color="0.5", linewidth=0.8)
    ax.set_title(label("figure.params_title"))


def _batches(ax, f, label):
    n, batches = int(f["n"]), f["batches"]
    grid = np.zeros((max(len(batches), 1), n))
    for row, members in enumerate(batches):
        for member in members:
            if member is not None and 0 <= int(member) < n:
                grid[row, int(member)] += 1
    ax.imshow(grid, aspect="auto", cmap="Blues", interpolation="nearest", vmin=0, vmax=max(2.0, grid.max()))
    counts = grid.sum(axis=0)
    for index in np.flatnonzero(counts != 1):  # missing (0) or duplicated (2+) examples, marked in red
        ax.axvline(index, color="tab:red", alpha=0.4, linewidth=2)
    ax.set_xlabel(label("figure.example_index"))
    ax.set_ylabel(label("figure.batch"))
    ax.set_title(label("figure.batches_title"))


def _fit_function(ax, f, label):
    _against_diagonal(
        ax,
        f["target"],
        f["fitted"],
        10,
        (
            label("figure.perfect_fit"),
            label("figure.your_network"),
            label("figure.target"),
            label("figure.prediction"),
            label("figure.fit_title"),
        ),
    )


DRAW = {
    "tangent": _tangent,
    "line_fit": _line_fit,
    "grad_compare": _grad_compare,
    "loss_curve": _loss_curve,
    "parameters": _parameters,
    "batches": _batches,
    "fit_function": _fit_function,
}


def _grad_errors(fig, f, label):
    """One heatmap per parameter: the learner's gradient minus autograd's, relative to the gradient's size."""
    keys = list(f["errors"])
    axes = fig.subplots(1, max(len(keys), 1), squeeze=False)[0]
    for ax, key in zip(axes, keys, strict=False):  # no keys: one empty axis
        error = np.asarray(f["errors"][key], float)
        scale = max(float(f["scale"].get(key) or 0.0), 1e-12)
        image = ax.imshow(error / scale, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
        ax.set_title(key)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(image, ax=list(axes), shrink=0.8, label=label("figure.relative_error"))
    fig.suptitle(label("figure.grad_errors_title", activation=f.get("activation", "")))


def draw(figure: dict, label: Labels, small: bool) -> str:
    """One figure as an inline PNG (a data: URL), or "" when it cannot be drawn."""
    plt = pyplot()
    kind = figure.get("kind")
    if kind not in DRAW and kind != "grad_errors":
        return ""
    size = (3.6, 2.6) if small else (6.4, 4.0)
    if kind == "grad_errors":
        size = (2.2 * max(len(figure.get("errors", {})), 1) + 1.2, 2.4 if small else 3.2)
    context = {"font.family": [label.font, "DejaVu Sans"]} if label.font else {}
    with (
        plt.rc_context({**context, "font.size": 7 if small else 9}),
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
    ):
        warnings.simplefilter("ignore")  # the learner's numbers may be extreme: the picture shows that
        fig = plt.figure(figsize=size, dpi=100, layout="constrained")
        try:
            if kind == "grad_errors":
                if not figure.get("errors"):
                    return ""
                _grad_errors(fig, figure, label)
            else:
                ax = fig.add_subplot()
                DRAW[kind](ax, figure, label)
                ax.set_title(textwrap.fill(ax.get_title(), 42 if small else 70))
                if ax.get_legend_handles_labels()[0]:
                    ax.legend(fontsize=6 if small else 8)
                ax.grid(alpha=0.3)
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
        except (KeyError, TypeError, ValueError, IndexError):
            return ""  # malformed data draws nothing rather than breaking the report
        finally:
            plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# ----------------------------------------------------------------- the page

STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0; } td { padding: 0.15em 0.6em; vertical-align: top; }
.passed { color: #1a7f37; } .failed, .error, .timeout { color: #cf222e; } .todo { color: #9a6700; }
section.exercise { border-top: 1px solid #ccc; margin-top: 1.5em; }
div.problem { display: flex; gap: 1.5em; align-items: flex-start; margin: 1em 0; }
pre { background: #f6f8fa; padding: 0.8em; white-space: pre-wrap; max-width: 44em; }
img { border: 1px solid #ddd; } .small img { margin: 0.3em; }
"""


def _status(t: CheckResult) -> tuple[str, str]:
    if t.not_implemented:
        return "todo", text("report.label_todo")
    return t.status, text(f"report.label_{t.status}")


def render_html(report: Report, submission: str = "") -> str:
    label = Labels()
    order = {name: index for index, name in enumerate(registry.names())}
    exercises = sorted({t.exercise for t in report.tests}, key=lambda e: order.get(e, 99))
    body = [f"<h1>{html.escape(text('report.title', submission=submission))}</h1>"]
    for note in report.notes:
        body.append(f"<p class='note'>! {html.escape(note)}</p>")
    for exercise in exercises:
        tests = [t for t in report.tests if t.exercise == exercise]
        got, out_of = sum(t.score for t in tests), sum(t.max_score for t in tests)
        body.append(
            f"<section class='exercise' id='{html.escape(exercise)}'><h2>{html.escape(exercise)} "
            f"<small>{got:g} / {out_of:g}</small></h2><table>"
        )
        for t in tests:
            css, word = _status(t)
            hidden = f" <em>{html.escape(text('report.hidden_mark'))}</em>" if t.visibility == "hidden" else ""
            body.append(
                f"<tr><td class='{css}'>{html.escape(word)}</td><td>{t.score:g}/{t.max_score:g}</td>"
                f"<td>{html.escape(t.name)}{hidden}</td></tr>"
            )
        body.append("</table>")
        problems = [t for t in tests if t.status != "passed" and not t.not_implemented]
        # the entries of the terminal's "What to fix": a problem of the file once, each cause first
        for entry in problem_entries(tests):
            css, word = entry.status, text(f"report.label_{entry.status}")
            pictures = "".join(
                f"<img alt='{html.escape(f.get('kind', ''))}' src='{src}'>"
                for f in entry.figures
                if (src := draw(f, label, small=False))
            )
            body.append(
                f"<div class='problem'><div><h3 class='{css}'>[{html.escape(word)}] {html.escape(entry.title)}"
                f"</h3><pre>{html.escape(entry.message)}</pre></div><div>{pictures}</div></div>"
            )
        if not problems:
            seen: set[tuple] = set()
            small: list[str] = []
            for t in tests:
                for f in t.figures:
                    key = (f.get("kind"), f.get("function"))
                    if key not in seen and (src := draw(f, label, small=True)):
                        seen.add(key)
                        small.append(f"<img alt='{html.escape(f.get('kind', ''))}' src='{src}'>")
            if small:
                body.append(f"<div class='small'>{''.join(small)}</div>")
        body.append("</section>")
    body.append(
        f"<p><strong>{html.escape(text('report.total', score=f'{report.score:g}', max_score=f'{report.max_score:g}'))}"
        "</strong></p>"
    )
    if report.isolation:
        line = text(
            "report.isolation",
            level=text(f"isolation.level.{report.isolation}"),
            meaning=text(f"isolation.{report.isolation}"),
        )
        body.append(f"<p>{html.escape(line)}</p>")
    lang = "zh-CN" if messages.language().startswith("zh") else "en"
    return (
        f"<!DOCTYPE html>\n<html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(text('report.title', submission=submission))}</title>"
        f"<style>{STYLE}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def render_check(result: CheckResult) -> str:
    """One check as an HTML block (its status, message and pictures): what a notebook cell shows."""
    label = Labels()
    css, word = _status(result)
    small = result.status == "passed"
    pictures = "".join(
        f"<img alt='{html.escape(f.get('kind', ''))}' src='{src}'>"
        for f in result.figures
        if (src := draw(f, label, small=small))
    )
    message = f"<pre>{html.escape(result.message)}</pre>" if result.message and not small else ""
    return (
        f"<div class='autograder-check' style='display:flex;gap:1.5em;align-items:flex-start'><div>"
        f"<strong class='{css}'>[{html.escape(word)}]</strong> {html.escape(result.name)} "
        f"({result.score:g}/{result.max_score:g}){message}</div><div>{pictures}</div></div>"
    )


def write_html(report: Report, path: Path, submission: str = "") -> Path:
    write_atomic(Path(path), render_html(report, submission))
    return Path(path)
