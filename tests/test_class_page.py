"""The class page as an instructor meets it: made by a real `batch ... --html class.html --similarity` run over
a small class, and again by `export` from the saved reports in Chinese, then rendered in headless Chromium
(Debian's package, installed where missing; the test is skipped where it cannot be).

The class: an honest submission (exercises 1, 2 and 4, with a sign error in ``dloss``), a copied pair (the
same exercise 3, with the 1/n of the mean forgotten; the copy's names changed, sent as a .zip), a zip cut
off in the upload, and the stubs as handed out. The rendered page must list the flagged submissions first
with their status, count pass rates over the submissions that attempted each function, render the
catalogue's code spans as code (no backtick left in its prose), list the copied pair and no other, and use
the right plural forms in English and Chinese.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import BUGGY, COURSE, EXERCISES, ROOT, SOLUTIONS, load_bug, splice

PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message || e.type)), true);
window.addEventListener('load', () => {
  const cells = row => [...row.cells].map(c => c.innerText.trim());
  const prose = document.body.cloneNode(true);
  prose.querySelectorAll('pre').forEach(p => p.remove());  // code shown as it was submitted
  const images = [...document.images];
  const facts = {
    h1: document.querySelector('h1').innerText,
    h2: [...document.querySelectorAll('h2')].map(h => ({id: h.id, text: h.innerText})),
    h3: [...document.querySelectorAll('h3')].map(h => h.innerText),
    flagged: [...document.querySelectorAll('table.flagged tr')].slice(1).map(cells),
    rates: [...document.querySelectorAll('table.rates tr')].slice(1).map(cells),
    code: [...document.querySelectorAll('code')].map(c => ({text: c.textContent,
                                                             font: getComputedStyle(c).fontFamily})),
    pairs: [...document.querySelectorAll('div.pair')].map(d => [...d.querySelectorAll(':scope > pre')].map(p => {
      const box = p.getBoundingClientRect();
      return {top: box.top, left: box.left, width: box.width, marks: p.querySelectorAll('mark').length};
    })),
    prose: prose.textContent,
    images: images.length,
    broken: images.filter(i => !i.complete || i.naturalWidth === 0).length,
    errors: window.__errors.length,
  };
  const out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = JSON.stringify(facts);
  document.body.appendChild(out);
});
</script>"""

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--window-size=1200,900"]


def browser() -> str:
    from test_html_report import chromium  # finds Chromium, or installs Debian's package

    try:
        return chromium()
    except pytest.fail.Exception as exc:
        pytest.skip(f"no headless Chromium here: {exc}")


def rendered(page: Path, tmp_path: Path) -> dict:
    """What Chromium shows of ``page``: the facts the probe reads from the laid-out page."""
    probed = tmp_path / f"probed-{page.name}"
    probed.write_text(page.read_text(encoding="utf-8").replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    profile = tmp_path / f"profile-{page.stem}"  # a fresh profile every time
    run = subprocess.run([browser(), *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=5000",
                          "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=180)
    found = re.search(r'<pre id="__probe">(.*?)</pre>', run.stdout, re.S)
    assert found, f"the page did not finish loading in Chromium: {run.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def _stubs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in EXERCISES:
        shutil.copyfile(ROOT / "exercises" / f"{name}.py", folder / f"{name}.py")
    return folder


HONEST_BUG, COPIED_BUG = load_bug(BUGGY / "ex1_dloss_sign.py"), load_bug(BUGGY / "ex3_mlp_backward_no_mean.py")
EX1, EX3 = HONEST_BUG["MODULE"], COPIED_BUG["MODULE"]


def _with_bug(bug: dict) -> str:
    return splice((SOLUTIONS / f"{bug['MODULE']}.py").read_text(encoding="utf-8"), bug["source"])


def make_class(folder: Path) -> Path:
    honest = _stubs(folder / "honest")  # every exercise but the pair's, one with a bug of its own
    for exercise in EXERCISES:
        if exercise not in (EX1, EX3):
            shutil.copyfile(SOLUTIONS / f"{exercise}.py", honest / f"{exercise}.py")
    (honest / f"{EX1}.py").write_text(_with_bug(HONEST_BUG), encoding="utf-8")
    copied = _with_bug(COPIED_BUG)
    (_stubs(folder / "ana") / f"{EX3}.py").write_text(copied, encoding="utf-8")
    disguised = copied.replace("params", "weights").replace("cache", "saved").replace("\n    return",
                                                                                   "\n    # my own work\n    return")
    with zipfile.ZipFile(folder / "bo.zip", "w") as archive:
        for exercise in EXERCISES:
            source = disguised if exercise == EX3 else (ROOT / "exercises" / f"{exercise}.py").read_text()
            archive.writestr(f"{exercise}.py", source)
    (folder / "cy.zip").write_bytes((folder / "bo.zip").read_bytes()[:1500])  # cut off in the upload
    _stubs(folder / "dee")
    return folder


def autograder(*args, lang="en", cwd):
    run = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=cwd, capture_output=True,
                         text=True, timeout=900, env={**os.environ, "AUTOGRADER_LANG": lang})
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    return run


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """The class graded once with the page in English and similar pairs; the Chinese page and a page without
    --similarity exported from its saved reports."""
    work = tmp_path_factory.mktemp("course")
    make_class(work / "class")
    graded = autograder("batch", "class", "--out", "grades.csv", "-j", "2", "--html", "class.html",
                        "--similarity", cwd=work)
    assert "Class page:" in graded.stdout, graded.stdout
    exported = autograder("export", "grades.csv", "--html", "class.zh_CN.html", "--lang", "zh_CN",
                          "--similarity", "class", cwd=work, lang="en")
    assert "Grading" not in exported.stderr and "Graded" not in exported.stdout, "export graded again"
    autograder("export", "grades_reports", "--html", "plain.html", cwd=work)
    return work


CHECKS = {function: [c.title for c in COURSE.checks if c.function == function]
          for function in (HONEST_BUG["TARGET"], COPIED_BUG["TARGET"], "train")}


def _prose_plurals(prose: str) -> None:
    assert "(s)" not in prose and "个(" not in prose
    assert not re.search(r"\b1 (submissions|students|pairs|points)\b", prose), prose
    assert not re.search(r"\b([02-9]|\d\d+) (submission|student|pair)\b", prose), prose


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_class_page_in_a_browser(pages, lang, tmp_path):
    page = pages / ("class.html" if lang == "en" else "class.zh_CN.html")
    facts = rendered(page, tmp_path)
    assert facts["errors"] == 0 and facts["broken"] == 0 and facts["images"] == len(EXERCISES), facts["images"]

    # flagged submissions first, each with its status (the gradebook's phrase, whatever the page's language)
    assert facts["h2"][0]["id"] == "flagged", facts["h2"]
    assert [row[:2] for row in facts["flagged"]] == [["cy", "damaged zip; nothing could be graded"],
                                                     ["dee", "nothing implemented"]], facts["flagged"]

    # pass rates over the submissions that attempted the function; the others counted apart
    rates = {row[0]: row[1:] for row in facts["rates"]}
    expected = {HONEST_BUG["TARGET"]: ("0/1", "4"), COPIED_BUG["TARGET"]: ("0/2", "3"), "train": ("1/1", "4")}
    for function, (shown, apart) in expected.items():
        for title in CHECKS[function]:
            assert rates[title][0].endswith(shown) and rates[title][1] == apart, (title, rates[title])

    # code spans are code, in a monospace face; no backtick is left in the page's own words
    code = {c["text"] for c in facts["code"]}
    assert {HONEST_BUG["TARGET"], COPIED_BUG["TARGET"]} <= code, code
    assert all("monospace" in c["font"] for c in facts["code"]), facts["code"][:3]
    assert "`" not in facts["prose"], re.findall(r".{30}`.{30}", facts["prose"])[:3]

    # the copied pair, and no other, side by side with the shared code marked
    similar = [h for h in facts["h2"] if h["id"] == "similar"]
    assert len(similar) == 1 and facts["h2"][-1]["id"] == "similar", facts["h2"]
    listed = [h for h in facts["h3"] if " · " in h]
    assert len(listed) == 1 and listed[0].startswith(f"ana · bo — {EX3}"), listed
    (first, second), = facts["pairs"]
    assert first["top"] == second["top"] and second["left"] >= first["left"] + first["width"], facts["pairs"]
    assert first["marks"] and second["marks"]

    # plural forms
    prose = facts["prose"]
    _prose_plurals(prose)
    if lang == "en":
        assert facts["h1"].endswith(": 5 submissions"), facts["h1"]
        assert facts["h2"][0]["text"].startswith("2 flagged submissions:"), facts["h2"][0]
        assert similar[0]["text"].startswith("1 pair of submissions "), similar
        assert f"1 student, in {HONEST_BUG['TARGET']}:" in facts["h3"], facts["h3"]
        assert f"2 students, in {COPIED_BUG['TARGET']}:" in facts["h3"], facts["h3"]
    else:
        assert facts["h1"].endswith("：5 份提交"), facts["h1"]
        assert facts["h2"][0]["text"].startswith("2 份提交被标记"), facts["h2"][0]
        assert similar[0]["text"].startswith("1 对提交"), similar
        assert f"1 名学生，在 {HONEST_BUG['TARGET']} 中：" in facts["h3"], facts["h3"]
        assert f"2 名学生，在 {COPIED_BUG['TARGET']} 中：" in facts["h3"], facts["h3"]


def test_similar_pairs_only_on_request(pages):
    """`--similarity` is off by default: a page that may be shown to the class names no pair."""
    plain = (pages / "plain.html").read_text(encoding="utf-8")
    assert "id='similar'" not in plain and "ana · bo" not in plain
    assert "id='similar'" in (pages / "class.html").read_text(encoding="utf-8")


def test_export_reads_the_saved_reports_only(pages):
    """`export` builds the page from the reports `batch` saved, not from a new grading: an edited report shows."""
    edited = pages / "edited_reports"
    shutil.copytree(pages / "grades_reports", edited)
    report = json.loads((edited / "honest.json").read_text(encoding="utf-8"))
    report["batch"]["status"] = "regraded by hand"
    (edited / "honest.json").write_text(json.dumps(report), encoding="utf-8")
    autograder("export", edited, "--html", "edited.html", "--similarity", "class", cwd=pages)
    page = (pages / "edited.html").read_text(encoding="utf-8")
    flagged = page[page.index("id='flagged'"):page.index("</table>")]
    assert "regraded by hand" in flagged and "honest" in flagged
    assert "ana · bo" in page
