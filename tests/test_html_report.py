"""The HTML report with pictures (`grade --html`, `make report`), checked as a learner meets it: in a real
headless browser (Debian's Chromium, installed by this test where missing), every picture decodes and the
page logs no error; and parsed, for the sections and pictures each exercise should have.
"""

from __future__ import annotations

import html.parser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.checking import figures
from autograder.messages import text

from conftest import BUGGY, COURSE, ROOT, SOLUTIONS, build_buggy

HAN_LOW, HAN_HIGH = "\u4e00", "\u9fff"
# what the page checks about itself once loaded, written into the DOM that `--dump-dom` prints
PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
window.addEventListener('load', () => {
  const images = Array.from(document.images);
  const broken = images.filter(i => !i.complete || i.naturalWidth === 0).length;
  const out = document.createElement('div');
  out.id = '__probe';
  out.textContent = `images=${images.length} broken=${broken} errors=${window.__errors.length}`;
  document.body.appendChild(out);
});
</script>"""


def chromium() -> str:
    """The path of Chromium, installing Debian's package where it is missing (CI machines start without it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail("Chromium is missing and cannot be installed here (needs root and apt-get): install the "
                    "Debian package `chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
        run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        if run.returncode != 0 and command[1] == "install":
            pytest.fail(f"could not install Chromium: {run.stderr[-2000:]}")
    found = shutil.which("chromium")
    assert found, "apt-get installed chromium, but there is no chromium command"
    return found


class Page(html.parser.HTMLParser):
    """The sections, headings and images of a report."""

    def __init__(self):
        super().__init__()
        self.sections, self.images, self.external = [], [], []
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append({"id": attrs.get("id"), "images": []})
        if tag == "img":
            src = attrs.get("src", "")
            self.images.append(src)
            if self.sections:
                self.sections[-1]["images"].append(attrs.get("alt"))
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            if value and not value.startswith("data:") and not value.startswith("#"):
                self.external.append(value)

    def handle_data(self, data):
        self.text.append(data)


def report_of(folder: Path, out: Path, lang: str, public_only: bool = True) -> Path:
    env = {**os.environ, "AUTOGRADER_LANG": lang}
    args = [sys.executable, "-m", "autograder", "grade", str(folder), "--html", str(out)]
    run = subprocess.run(args + (["--public-only"] if public_only else []), cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert str(out.resolve()) in run.stdout, run.stdout[-500:]
    return out


def in_browser(page: Path, tmp_path: Path) -> str:
    probed = tmp_path / f"probed-{page.name}"
    source = page.read_text(encoding="utf-8")
    probed.write_text(source.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    run = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-extensions", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000",
                          f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=120)
    marker = '<div id="__probe">'
    assert marker in run.stdout, f"the page did not finish loading: {run.stderr[-2000:]}"
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line and ("rror" in line or "ERROR" in line)]
    assert not console, f"the page logged errors: {console[:5]}"
    return run.stdout[run.stdout.index(marker):][:200]


CASES = {
    "reference": ("solutions", {"ex1_manual_gradients": {"tangent", "line_fit", "grad_compare"},
                                "ex2_linear_regression": {"loss_curve", "parameters", "batches"},
                                "ex3_mlp_backprop": {"grad_errors", "loss_curve", "fit_function"}}),
    "stubs": ("exercises", {}),
    "buggy-backward": ("ex3_mlp_backward_no_mean", {"ex3_mlp_backprop": {"grad_errors"}}),
    "buggy-train": ("ex2_train_mean_then_batch", {"ex2_linear_regression": {"loss_curve"}}),
}


RUNS = [(case, "en") for case in CASES] + [("reference", "zh_CN"), ("buggy-backward", "zh_CN")]


@pytest.mark.parametrize("case,lang", RUNS, ids=[f"{c}-{l}" for c, l in RUNS])
def test_report_opens_in_a_browser_with_every_picture(case, lang, tmp_path):
    source, expected = CASES[case]
    folder = ROOT / source if (ROOT / source).is_dir() else tmp_path / "submission"
    if not (ROOT / source).is_dir():
        build_buggy(BUGGY / f"{source}.py", folder)
    page = report_of(folder, tmp_path / "report.html", lang)
    parsed = Page()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert not parsed.external, f"the report loads something from elsewhere: {parsed.external[:3]}"
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)
    assert [s["id"] for s in parsed.sections] == [e.name for e in COURSE.exercises]
    for section in parsed.sections:
        kinds = set(section["images"])
        assert expected.get(section["id"], set()) <= kinds, (section["id"], kinds)
    words = "".join(parsed.text)
    if lang == "zh_CN":
        assert any(HAN_LOW <= c <= HAN_HIGH for c in words)
    probe = in_browser(page, tmp_path)
    assert f"images={len(parsed.images)} broken=0 errors=0" in probe, probe


def test_a_failing_check_shows_its_picture_next_to_its_message(tmp_path):
    folder = tmp_path / "submission"
    build_buggy(BUGGY / "ex3_mlp_backward_no_mean.py", folder)
    page = report_of(folder, tmp_path / "report.html", "en").read_text(encoding="utf-8")
    problem = page[page.index("<div class='problem'>"):]
    problem = problem[:problem.index("</div></div>") + 12]
    assert "mlp_backward" in problem and "alt='grad_errors'" in problem


def test_pictures_fall_back_to_english_labels_without_a_chinese_font(monkeypatch):
    from autograder.reports import html_report

    monkeypatch.setenv("AUTOGRADER_LANG", "zh_CN")
    monkeypatch.setattr(html_report, "cjk_font", lambda: None)
    assert html_report.Labels()("figure.epoch") == "epoch"
    monkeypatch.setattr(html_report, "cjk_font", lambda: "Noto Sans CJK SC")
    assert html_report.Labels()("figure.epoch") == text("figure.epoch")


def test_plain_grading_never_imports_matplotlib():
    code = ("import sys; from autograder.channels.cli import main; main(['grade', 'exercises', '--public-only']); "
            "print('matplotlib' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().splitlines()[-1] == "False"


def test_recorded_data_is_plain_and_bounded():
    import numpy as np

    figures.begin()
    figures.record("loss_curve", function="train", losses=np.array([1.0, float("nan"), 0.5]))
    figures.record("huge", values=np.zeros(figures.MAX_VALUES + 1))
    with pytest.raises(TypeError):
        figures.record("bad", value=object())
    taken = figures.take()
    assert taken == [{"kind": "loss_curve", "function": "train", "losses": [1.0, None, 0.5]}]
    assert figures.sparkline([4.0, 2.0, 1.0, 0.5]) and figures.sparkline([1.0]) == ""


def test_a_notebook_check_shows_its_message_and_pictures_as_html(monkeypatch):
    """In Jupyter, `check(...)` displays the same block as the HTML report: message and pictures."""
    from autograder.channels import notebook

    shown = []
    monkeypatch.setattr(notebook, "_rich_output", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    source = (SOLUTIONS / "ex3_mlp_backprop.py").read_text()
    broken = source.replace("    dy_hat = (y_hat - y.reshape(y_hat.shape)) / n\n", "    dy_hat = y_hat - y.reshape(y_hat.shape)\n")
    assert broken != source
    with pytest.raises(notebook.CheckNotPassed):
        notebook.check("ex3_mlp_backprop", "test_mlp_backward_sigmoid", cells=[broken])
    assert len(shown) == 1
    block = shown[0].data
    assert "mlp_backward" in block and "alt='grad_errors' src='data:image/png;base64," in block
    assert "AUTOGRADER_FIGURES" not in os.environ


def test_the_class_page_counts_the_classic_mistakes(tmp_path):
    """`batch --html`: score distributions, pass rates, and the mistakes made most, counted by hint, with an
    anonymised example; checked in the browser like the learner's report."""
    klass = tmp_path / "class"
    shutil.copytree(SOLUTIONS, klass / "alice_reference", ignore=shutil.ignore_patterns("__pycache__"))
    for student, bug in (("bob_wang", "ex2_train_no_backward"), ("carol_li", "ex2_train_no_backward"),
                         ("dan_zhao", "ex3_unbroadcast_sum_all")):
        build_buggy(BUGGY / f"{bug}.py", klass / student)
    out, page = tmp_path / "grades.csv", tmp_path / "class.html"
    run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--out", str(out), "-j", "2",
                          "--html", str(page)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "AUTOGRADER_LANG": "en"})
    assert run.returncode == 0, run.stderr[-3000:]
    content = page.read_text(encoding="utf-8")
    assert "The class at a glance: 4 submissions" in content
    assert "2 students, in <code>train</code>:" in content  # a plural, and a code span rendered as code
    assert "1 student, in <code>unbroadcast</code>:" in content and "student(s)" not in content
    assert "`" not in content.split("<body>")[1].split("<pre>")[0]  # no raw backticks in the page's text
    for student in ("alice_reference", "bob_wang", "carol_li", "dan_zhao", str(klass)):
        assert student not in content, f"{student} is named on the class page"
    parsed = Page()
    parsed.feed(content)
    assert len(parsed.images) == len(COURSE.exercises) and not parsed.external
    probe = in_browser(page, tmp_path)
    assert f"images={len(parsed.images)} broken=0 errors=0" in probe, probe


def html_escape(value: str) -> str:
    import html

    return html.escape(value)
