"""Gradebooks an LMS imports: Canvas's gradebook CSV and Moodle's "Import grades from CSV".

The writers take what ``batch`` produces (:class:`autograder.reports.lms.Graded`), so most tests build those
by hand and check the files against each LMS's import rules; one test grades a tiny class for real.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest

from autograder.reports import lms
from autograder.course import registry
from autograder.grading.class_folder import Person
from autograder.reports.lms import Graded, LmsError

from conftest import MAX, ROOT, SOLUTIONS, copy_solutions

EXERCISES = registry.names()
ASSIGNMENT = "Backprop kit, part 1 (123456)"  # a comma in the name: the header must be quoted
PLAIN_HEADER = ["student", *EXERCISES, "total", "max_score", "status", "sandbox"]

# As Canvas's Grades > Export writes it: BOM, a "Manual Posting" row and the "Points Possible" row under the
# header, an Integration ID column, other assignments and the read-only totals.
CANVAS_EXPORT = (
    "\ufeffStudent,ID,SIS User ID,SIS Login ID,Integration ID,Section,Quiz 1 (777),\"Backprop kit, part 1 (123456)\","
    "Current Score,Unposted Current Score,Final Score\n"
    ",,,,,,Manual Posting,,,,\n"
    "    Points Possible,,,,,,10,100,(read only),(read only),(read only)\n"
    '"Lovelace, Ada",1001,S001,ada@example.edu,,"Section A, Mon",8,,80,80,80\n'
    "Bo Li,1002,S002,bo@example.edu,,Section A,9,,90,90,90\n"
    '"=HYPERLINK(""http://evil"",""x"")",1003,S003,cy@example.edu,,Section B,,,0,0,0\n'
    "Dee Absent,1004,S004,dee@example.edu,,Section B,,,0,0,0\n"
    "Eve Twice,1005,S005,eve@example.edu,,Section B,,,0,0,0\n"
    '"Student, Test",1006,,,,Section A,,,0,0,0\n'
)


def graded(label, total, status="ok", folder=None, failing=(), submitters=(), ok=True):
    return Graded(label=label, folder=folder or label, total=total, max_score=MAX, status=status, graded=ok,
                  failing=tuple(failing), submitters=tuple(submitters))


def read_rows(path, encoding="utf-8"):
    return list(csv.reader(io.StringIO(path.read_text(encoding=encoding), newline="")))


def problems_of(outcome):
    return {(p.kind, p.who) for p in outcome.problems}


@pytest.fixture
def canvas_roster(tmp_path):
    path = tmp_path / "canvas_export.csv"
    path.write_text(CANVAS_EXPORT, encoding="utf-8")
    return path


def canvas_rules(rows, assignment):
    """What Canvas's GradebookImporter requires of a file (see the docstring of autograder/reports/lms.py)."""
    header = rows[0]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]  # in this order
    # every further column that is not a read-only total is an assignment: only ours may be there
    assert header[5:] == [assignment]
    assert re.fullmatch(r"(.*\S)\s\((\d+)\)", header[5])  # Assignment.title_and_id
    assert "Points Possible" in rows[1][0] and rows[1][5] == f"{MAX:g}" and rows[1][1:5] == ["", "", "", ""]
    assert all(len(row) == 6 for row in rows)
    for row in rows[2:]:
        assert row[1] and row[5] and float(row[5]) >= 0  # Canvas finds a student by ID first


def test_canvas_gradebook(tmp_path, canvas_roster):
    target = lms.target("canvas", roster=canvas_roster, assignment=ASSIGNMENT)
    assert target.notes == []  # the export has a column for assignment 123456
    group = graded("S002+ada@example.edu", 71.5, folder="submission_7",
                   submitters=[Person("Bo Li", "bo@example.org", "S002"), Person("Ada", "ADA@Example.edu", "")])
    out = tmp_path / "canvas.csv"
    outcome = target.write([
        group,  # a group: one row per member, matched by SID and by e-mail (case does not matter)
        graded("cy@example.edu", 10),  # a folder named after the SIS Login ID
        graded("zed", 50),  # in no roster
        graded("eve@example.edu", 20), graded("S005", 30),  # two submissions for one student: neither written
        graded("S004", 0, status="grader error", ok=False),  # the grader failed: no grade to publish
    ], out)
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM: the first header cell is exactly "Student"
    rows = read_rows(out)
    canvas_rules(rows, ASSIGNMENT)
    assert b'"Backprop kit, part 1 (123456)"' in raw.splitlines()[0]  # a name with a comma, quoted
    assert rows[1][0] == "    Points Possible"  # as Canvas's export writes it
    by_id = {row[1]: row for row in rows[2:]}
    assert set(by_id) == {"1001", "1002", "1003"} and outcome.written == 3
    assert by_id["1001"] == ["Lovelace, Ada", "1001", "S001", "ada@example.edu", "Section A, Mon", "71.5"]
    assert by_id["1002"][5] == "71.5"
    assert by_id["1003"][0] == "'=HYPERLINK(\"http://evil\",\"x\")" and by_id["1003"][5] == "10"  # not a formula
    assert [row[1] for row in rows[2:]] == ["1001", "1002", "1003"]  # the roster's order
    found = problems_of(outcome)
    assert ("submission not in the roster", "zed") in found
    assert ("roster student without a submission", "Dee Absent (SIS Login ID dee@example.edu, SIS User ID S004, "
            "ID 1004)") in found
    assert any(kind.startswith("several submissions") and who.startswith("Eve Twice") for kind, who in found)
    assert any(kind.startswith("not graded") and who == "S004" for kind, who in found)
    assert any(who.startswith("Student, Test") for kind, who in found)  # listed too: nothing is dropped silently
    side = read_rows(outcome.side_file, encoding="utf-8-sig")
    assert side[0] == ["problem", "who", "detail"] and side[1][0] == "scale (every grade)"
    assert len(side) - 2 == len(outcome.problems)


def test_canvas_refuses_what_it_cannot_import(tmp_path, canvas_roster):
    broken = tmp_path / "no_section.csv"
    broken.write_text("Student,ID,SIS User ID,SIS Login ID,Quiz (1)\nAda,1,S1,ada,5\n", encoding="utf-8")
    with pytest.raises(LmsError, match=r"no_section\.csv has no 'Section' column"):
        lms.target("canvas", roster=broken, assignment=ASSIGNMENT)
    for wrong in ("Backprop kit", "Backprop kit(123)", "Backprop kit (12a)", "(123)", "Backprop kit (123) "):
        with pytest.raises(LmsError, match=r'not of the form "name \(id\)".*e\.g\. --assignment "Backprop kit '
                                           r'\(123456\)"'):
            lms.target("canvas", roster=canvas_roster, assignment=wrong)
    with pytest.raises(LmsError, match="needs --roster"):
        lms.target("canvas", assignment=ASSIGNMENT)
    with pytest.raises(LmsError, match="needs --assignment"):
        lms.target("canvas", roster=canvas_roster)
    with pytest.raises(LmsError, match="--id-field is for --lms moodle"):
        lms.target("canvas", roster=canvas_roster, assignment=ASSIGNMENT, id_field="email")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"Student,ID,SIS User ID,SIS Login ID,Section\nZo\xeb,1,S1,zoe,A\n")  # Latin-1
    with pytest.raises(LmsError, match="not UTF-8"):
        lms.target("canvas", roster=latin1, assignment=ASSIGNMENT)
    other = lms.target("canvas", roster=canvas_roster, assignment="Backprop kit (999)")
    assert other.notes and "new assignment" in other.notes[0]


def test_moodle_gradebook(tmp_path):
    target = lms.target("moodle", id_field="email", points_possible=MAX)  # raw points: the item's maximum is MAX
    group = graded("S1+S2", 40, status="ex2_linear_regression timed out", folder="submission_1",
                   failing=["ex2_linear_regression.train", "ex3_mlp_backprop.mlp_backward"],
                   submitters=[Person("Ada", "ada@example.edu", "S1"), Person("Bo, Li", "bo@example.edu", "S2")])
    out = tmp_path / "moodle.csv"
    outcome = target.write([
        group,  # one row per member of the group
        graded("S3", 0, folder="submission_2", submitters=[Person("No Mail", "", "S3")]),  # no e-mail to go by
        graded("S4", MAX, folder="submission_3", submitters=[Person("Evil", "=cmd|'/c calc'!A0", "S4")]),
        graded("S5", 5, status="=cmd", folder="submission_4", submitters=[Person("Fay", "fay@example.edu", "S5")]),
    ], out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Moodle's CSV reader removes the BOM; spreadsheets need it
    rows = read_rows(out, encoding="utf-8-sig")
    assert rows[0] == ["Email address", "Grade", "Feedback"]
    assert all(len(row) == 3 and row[0] for row in rows)  # Moodle aborts the whole import at a blank identifier
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"ada@example.edu", "bo@example.edu", "fay@example.edu"} and outcome.written == 3
    assert by_id["bo@example.edu"][1:] == by_id["ada@example.edu"][1:]
    assert by_id["ada@example.edu"][1:] == [
        "40", "ex2_linear_regression timed out; failing: ex2_linear_regression.train, ex3_mlp_backprop.mlp_backward"]
    assert by_id["fay@example.edu"][2].startswith("'=cmd")  # text cells never run as formulas
    found = problems_of(outcome)
    assert any(kind == "submission without an identifier" and who.startswith("No Mail") for kind, who in found)
    assert any("formula" in kind and who.startswith("Evil") for kind, who in found)  # not written, not altered
    assert "=cmd" not in out.read_text(encoding="utf-8-sig").replace("'=cmd", "")


def test_moodle_checks_identifiers_against_a_roster(tmp_path):
    roster = tmp_path / "participants.csv"
    roster.write_text("First name,Last name,Username,Email address\nAda,L,ada,Ada@Example.edu\nBo,Li,bo,bo@x.org\n",
                      encoding="utf-8")
    target = lms.target("moodle", roster=roster, id_field="email", points_possible=MAX)
    outcome = target.write([graded("ada@example.edu", 12, failing=["ex1_manual_gradients.dloss"]),
                            graded("zed@example.edu", 3)], tmp_path / "m.csv")
    rows = read_rows(outcome.path, encoding="utf-8-sig")
    assert rows[1:] == [["Ada@Example.edu", "12", "ok; failing: ex1_manual_gradients.dloss"]]  # Moodle's spelling
    assert problems_of(outcome) == {("submission not in the roster", "zed@example.edu"),
                                    ("roster student without a submission", "bo@x.org")}
    usernames = lms.target("moodle", roster=roster, id_field="username", points_possible=MAX).write(
        [graded("ada", 7), graded("S9", 1, folder="submission_9", submitters=[Person("Gus", "g@x.org", "S9")])],
        tmp_path / "u.csv")
    assert read_rows(usernames.path, encoding="utf-8-sig")[0] == ["Username", "Grade", "Feedback"]
    assert any("no usernames" in p.detail for p in usernames.problems)
    with pytest.raises(LmsError, match=r"participants\.csv has no 'ID number' column"):
        lms.target("moodle", roster=roster, id_field="idnumber")
    with pytest.raises(LmsError, match=re.escape("--id-field email|username|idnumber")):
        lms.target("moodle")
    with pytest.raises(LmsError, match="--assignment is for --lms canvas"):
        lms.target("moodle", id_field="email", assignment=ASSIGNMENT)


def test_batch_into_canvas_and_moodle(tmp_path):
    """A tiny class graded for real, into both gradebooks; the plain CSV next to each, as it always was."""
    klass = tmp_path / "class"
    copy_solutions(klass / "ada@example.edu")
    (klass / "bo@example.edu").mkdir()  # the reference with the first file missing (one file: quick to grade)
    last = EXERCISES[-1]
    (klass / "bo@example.edu" / f"{last}.py").write_text((SOLUTIONS / f"{last}.py").read_text())
    (klass / "zed").mkdir()  # not in the roster
    (klass / "zed" / f"{last}.py").write_text((SOLUTIONS / f"{last}.py").read_text())
    roster = tmp_path / "canvas_export.csv"
    roster.write_text(CANVAS_EXPORT, encoding="utf-8")

    def batch(out, *options):
        run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--out", str(out), "-j", "2",
                              "--timeout", "5", *options], cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout

    printed = batch(tmp_path / "canvas.csv", "--lms", "canvas", "--roster", str(roster), "--assignment", ASSIGNMENT)
    rows = read_rows(tmp_path / "canvas.csv")
    canvas_rules(rows, ASSIGNMENT)
    first = MAX - registry.course(include_hidden=True).exercise(last).points  # what bo misses
    assert {row[1]: row[5] for row in rows[2:]} == {"1001": f"{MAX:g}", "1002": f"{MAX - first:g}"}
    assert "submission not in the roster: zed" in printed and "Dee Absent" in printed
    assert "canvas_unmatched.csv" in printed
    plain = read_rows(tmp_path / "canvas_batch.csv")
    assert plain[0] == PLAIN_HEADER and len(plain) == 4  # the plain CSV, unchanged, beside the gradebook
    assert (tmp_path / "canvas_reports" / "zed.json").is_file()

    participants = tmp_path / "participants.csv"
    participants.write_text("Username,Email address\nada,ada@example.edu\nbo,Bo@Example.edu\ndee,dee@example.edu\n")
    printed = batch(tmp_path / "moodle.csv", "--lms", "moodle", "--id-field", "email", "--roster", str(participants),
                    "--points-possible", f"{MAX:g}")
    rows = read_rows(tmp_path / "moodle.csv", encoding="utf-8-sig")
    assert rows[0] == ["Email address", "Grade", "Feedback"]
    grades = {row[0]: row[1:] for row in rows[1:]}
    assert set(grades) == {"ada@example.edu", "Bo@Example.edu"}  # as Moodle spells it; zed would abort the import
    assert grades["ada@example.edu"] == [f"{MAX:g}", "ok; every check passed"]
    assert grades["Bo@Example.edu"][0] == f"{MAX - first:g}"
    assert grades["Bo@Example.edu"][1].startswith(f"missing {EXERCISES[0]}"), grades["Bo@Example.edu"]
    assert f"failing: {EXERCISES[0]}." in grades["Bo@Example.edu"][1], grades["Bo@Example.edu"]
    assert "submission not in the roster: zed" in printed
    assert "roster student without a submission: dee@example.edu" in printed
    assert read_rows(tmp_path / "moodle_batch.csv")[0] == PLAIN_HEADER


def test_lms_options_are_checked_before_grading(tmp_path):
    klass = tmp_path / "class"
    klass.mkdir()
    run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--lms", "canvas",
                          "--roster", str(tmp_path / "nowhere.csv"), "--assignment", ASSIGNMENT],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "cannot read the roster" in run.stderr and "Grading" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--id-field", "email"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "go with --lms" in run.stderr


def test_points_possible_scales_and_rounds_as_each_lms_imports(tmp_path, canvas_roster):
    """--points-possible N: total x N / kit total, rounded half up to 2 decimals; Moodle's default maximum is 100."""
    kit = 132.0
    with pytest.raises(LmsError, match=r"132 points, above 100.*--points-possible 100.*--points-possible 132"):
        lms.target("moodle", id_field="email", kit_max=kit)  # Moodle would refuse every grade above 100
    assert lms.target("moodle", id_field="email", kit_max=80).scale.points_possible == 80  # fits: raw points
    moodle = lms.target("moodle", id_field="email", points_possible=100, kit_max=kit)
    people = [graded(f"s{i}@x.org", total) for i, total in enumerate((kit, 131, 66, 1, 0))]
    outcome = moodle.write(people, tmp_path / "moodle.csv")
    grades = [row[1] for row in read_rows(outcome.path, encoding="utf-8-sig")[1:]]
    assert grades == ["100", "99.24", "50", "0.76", "0"]  # 131/132*100 = 99.2424..., 1/132*100 = 0.7575...
    assert all(float(g) <= 100 for g in grades)  # never above the item's maximum
    side = read_rows(outcome.side_file, encoding="utf-8-sig")
    assert side[1][0] == "scale (every grade)" and "132" in side[1][2] and "100" in side[1][2]
    over = lms.target("moodle", id_field="email", points_possible=150, kit_max=kit)
    assert any("Maximum grade to 150" in note for note in over.notes)
    canvas = lms.target("canvas", roster=canvas_roster, assignment=ASSIGNMENT, points_possible=10, kit_max=kit)
    rows = read_rows(canvas.write([graded("ada@example.edu", 131)], tmp_path / "canvas.csv").path)
    assert rows[1][5] == "10" and rows[2][5] == "9.92"  # Points Possible row, and 131/132*10 = 9.924...
    with pytest.raises(LmsError, match="above 0"):
        lms.target("canvas", roster=canvas_roster, assignment=ASSIGNMENT, points_possible=0, kit_max=kit)


def test_unreadable_submissions_get_no_grade_without_the_flag(tmp_path):
    damaged = Graded(label="eve", folder="eve", total=0, max_score=MAX, status="damaged zip; nothing could be graded",
                     readable=False)
    quiet = lms.target("moodle", id_field="username", points_possible=MAX).write([damaged], tmp_path / "m.csv")
    assert quiet.written == 0 and any(p.kind.startswith("submission could not be read") for p in quiet.problems)
    flagged = lms.target("moodle", id_field="username", points_possible=MAX, zero_unreadable=True)
    assert flagged.write([damaged], tmp_path / "m2.csv").written == 1
