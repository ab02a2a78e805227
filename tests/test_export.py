"""A class graded once, then every output from its saved reports (`export`, `merge --lms/--html`): unreadable
submissions named with their own status, a Canvas and a Moodle file with no regrade, a class page with the flagged
submissions first and, on request, the pairs far more alike than the class's usual."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile

import pytest

from autograder.course import registry

from conftest import MAX, ROOT, SOLUTIONS, copy_solutions

EXERCISES = registry.names()


def cli(*args, ok=True):
    run = subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT, capture_output=True,
                         text=True, timeout=900, env={"AUTOGRADER_LANG": "en", **__import__("os").environ})
    assert (run.returncode == 0) == ok, run.stdout + run.stderr[-3000:]
    return run


def test_a_class_graded_once_exports_everywhere(tmp_path):
    klass = tmp_path / "class"
    copy_solutions(klass / "ada")
    with zipfile.ZipFile(klass / "dan.zip", "w") as archive:
        for exercise in EXERCISES:
            archive.write(SOLUTIONS / f"{exercise}.py", f"dan/{exercise}.py")
    (klass / "eve.zip").write_bytes((klass / "dan.zip").read_bytes()[:2000])  # cut off in the upload
    (klass / "fay" / ".hidden").mkdir(parents=True)  # files in the wrong place
    (klass / "fay" / ".hidden" / f"{EXERCISES[0]}.py").write_text((SOLUTIONS / f"{EXERCISES[0]}.py").read_text())
    (klass / "fay" / f"{EXERCISES[1]} (1).py").write_text((SOLUTIONS / f"{EXERCISES[1]}.py").read_text())
    out = tmp_path / "grades.csv"
    cli("batch", klass, "--out", out, "-j", "2")
    rows = {row["student"]: row for row in csv.DictReader(out.open())}
    assert rows["eve"]["status"] == "damaged zip; nothing could be graded"
    assert rows["fay"]["status"].startswith("exercise files in the wrong place")
    assert float(rows["ada"]["total"]) == float(rows["dan"]["total"]) == MAX

    roster = tmp_path / "participants.csv"
    roster.write_text("Username,Email address\nada,a@x\ndan,d@x\neve,e@x\nfay,f@x\n")
    run = cli("export", out, "--lms", "moodle", "--id-field", "username", "--roster", roster,
              "--points-possible", "100", "--out", tmp_path / "moodle.csv", "--html", tmp_path / "class.html")
    assert "Grading" not in run.stderr  # no regrade
    moodle = list(csv.reader((tmp_path / "moodle.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert moodle[1:] == [["ada", "100", "ok; every check passed"], ["dan", "100", "ok; every check passed"]]
    assert "eve" in run.stdout and "--grade-unreadable" in run.stdout  # never sent as 0 without the flag
    refused = cli("export", out, "--lms", "moodle", "--id-field", "username", ok=False)
    assert "--points-possible 100" in refused.stderr  # 132 > Moodle's default maximum: says what to pass
    page = (tmp_path / "class.html").read_text()
    flagged = page.index("flagged submissions")
    assert flagged < page.index("Points per exercise") and page.index("eve", flagged) < page.index("Points per")
    assert "2 flagged submissions" in page and "not attempted" in page

    merged = tmp_path / "merged.csv"  # the same run as a one-shard merge, with the page and Canvas's file
    export = tmp_path / "canvas_export.csv"
    export.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Kit (7)\nAda,1,ada,ada,A,\n")
    cli("merge", out, "--out", merged, "--lms", "canvas", "--roster", export, "--assignment", "Kit (7)",
        "--lms-out", tmp_path / "canvas.csv")
    canvas = list(csv.reader((tmp_path / "canvas.csv").read_text().splitlines()))
    assert canvas[1][5] == f"{MAX:g}" and canvas[2][:2] == ["Ada", "1"] and canvas[2][5] == f"{MAX:g}"


def test_similar_pairs_stand_out_from_the_class():
    from autograder.reports.similarity import similar_pairs

    first = EXERCISES[0]
    bodies = [f"def helper_{i}(values):\n    total = {i}\n    for k, v in enumerate(values):\n"
              f"        total += (v * {i + 1}) ** {(i % 3) + 1} - k\n    return total / {i + 2}\n" for i in range(8)]
    code = {f"s{i}": {first: "import numpy as np\n\n" + body + ("\n# mine\n" if i % 2 else "")}
            for i, body in enumerate(bodies)}
    copied = bodies[3].replace("values", "xs").replace("total", "acc")  # renamed names are still the same code
    code["copycat"] = {first: "import numpy as np\n\n" + copied}
    pairs = similar_pairs(code)
    assert [(p.first, p.second) for p in pairs] == [("copycat", "s3")], [(p.first, p.second, p.share) for p in pairs]
    assert pairs[0].share > 0.8 and pairs[0].marked[0]  # the shared code is marked


def test_the_plain_gradebook_of_a_run_with_an_lms_finds_its_reports(tmp_path):
    """`batch --lms moodle --out grades.csv` writes Moodle's grades.csv, the plain grades_batch.csv and
    grades_reports/: either CSV leads `export` to the reports."""
    from autograder.reports.classrun import ExportError, reports_folder

    (tmp_path / "grades_reports").mkdir()
    for name in ("grades.csv", "grades_batch.csv"):
        (tmp_path / name).write_text("student,total\n")
        assert reports_folder(tmp_path / name) == tmp_path / "grades_reports"
    (tmp_path / "other_batch.csv").write_text("student,total\n")
    with pytest.raises(ExportError, match="no other_batch_reports/ beside it"):
        reports_folder(tmp_path / "other_batch.csv")


WITHOUT = "import sys; sys.modules[{module!r}] = None; from autograder.channels.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("module", ["babel", "markdown_it", "matplotlib"])
def test_html_without_the_instructor_extra_is_refused_before_any_work(tmp_path, module):
    """batch, merge and export with --html, on a Python without one of the class page's libraries: a clear error
    naming the extra and how to install it, exit 2, before a submission is graded or a file written (they were
    imported lazily, after the class had been graded: a traceback at the end)."""
    copy_solutions(tmp_path / "class" / "ada")
    (tmp_path / "grades.csv").write_text("student,total\n", encoding="utf-8")
    commands = {
        "batch": ["batch", tmp_path / "class", "--out", tmp_path / "new.csv", "--html", tmp_path / "class.html"],
        "merge": ["merge", tmp_path / "grades.csv", "--out", tmp_path / "merged.csv", "--html", tmp_path / "m.html"],
        "export": ["export", tmp_path / "grades.csv", "--html", tmp_path / "e.html"],
    }
    for name, args in commands.items():
        run = subprocess.run([sys.executable, "-c", WITHOUT.format(module=module), *map(str, args)], cwd=ROOT,
                             capture_output=True, text=True, timeout=300,
                             env={**__import__("os").environ, "AUTOGRADER_LANG": "en"})
        wanted = {"babel": "babel", "markdown_it": "markdown-it-py", "matplotlib": "matplotlib"}[module]
        assert run.returncode == 2, (name, run.stdout, run.stderr)
        assert f"--html needs {wanted}" in run.stderr and "[instructor]" in run.stderr, (name, run.stderr)
        nothing = "Nothing was graded." if name == "batch" else "Nothing was written."
        assert "Traceback" not in run.stderr and nothing in run.stderr, (name, run.stderr)
        assert ("make batch HTML=" in run.stderr) == (name == "batch"), (name, run.stderr)  # make only where it fits
    assert not any((tmp_path / f).exists() for f in ("new.csv", "merged.csv", "class.html", "m.html", "e.html"))


def test_similarity_without_copydetect_is_refused_before_grading(tmp_path):
    """--similarity (the class page's similar pairs) needs copydetect, of the same extra: refused up front too."""
    copy_solutions(tmp_path / "class" / "ada")
    run = subprocess.run([sys.executable, "-c", WITHOUT.format(module="copydetect"), "batch", str(tmp_path / "class"),
                          "--out", str(tmp_path / "g.csv"), "--html", str(tmp_path / "c.html"), "--similarity"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**__import__("os").environ, "AUTOGRADER_LANG": "en"})
    assert run.returncode == 2 and "--similarity needs copydetect" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "g.csv").exists(), run.stderr


def test_a_report_without_matplotlib_is_refused_before_grading(tmp_path):
    """grade --html (make report installs the [report] extra; a bare `python -m autograder grade --html` may lack
    it): the error, in the learner's language too, before the grading starts."""
    for lang, said in (("en", "--html needs matplotlib"), ("zh_CN", "--html 需要 matplotlib")):
        run = subprocess.run([sys.executable, "-c", WITHOUT.format(module="matplotlib"), "grade", str(SOLUTIONS),
                              "--html", str(tmp_path / "r.html")], cwd=ROOT, capture_output=True, text=True,
                             timeout=300, env={**__import__("os").environ, "AUTOGRADER_LANG": lang})
        assert run.returncode == 2 and said in run.stderr and "[report]" in run.stderr, run.stderr
        assert "Grading" not in run.stdout and not (tmp_path / "r.html").exists(), run.stdout
