"""What Windows and macOS take of the kit, tried here piece by piece (the whole path: test_emulated_platforms.py).

The encoding of every file and pipe the kit opens, the folder walk by path (Windows has no ``dir_fd``), the
Job Object of a spawned worker (pywin32 faked: its calls and the limits they set), the learner's commands
without make (which Python grades, ``.venv\\Scripts\\python.exe``, ``submission``), a file saved in GBK, and
the spawned workers themselves (``AUTOGRADER_SPAWN=1``: the none level, the same reports).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import pytest

from autograder.channels import launch, pack
from autograder.grading import submission
from autograder.messages import text
from autograder.sandbox import client, spawned, winjob

from conftest import BUGGY, EXERCISES, ROOT, SOLUTIONS, build_buggy, copy_solutions

# ----------------------------------------------------------------- UTF-8 everywhere

TEXT_METHODS = {"read_text", "write_text"}
SUBPROCESS = {"run", "Popen", "check_output", "check_call", "call"}


def _mode(call: ast.Call, position: int):
    for keyword in call.keywords:
        if keyword.arg == "mode":
            return keyword.value.value if isinstance(keyword.value, ast.Constant) else "?"
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        return call.args[position].value
    return None


def default_encodings(path: Path) -> list[str]:
    """Each call in ``path`` that opens a text file or pipe without saying its encoding."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or {k.arg for k in node.keywords} & {"encoding", None}:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
        text_mode = None
        if (name == "open" and (isinstance(func, ast.Name) or owner in ("io", "builtins"))) or \
                (name == "fdopen" and owner == "os"):  # (os.open is no text file: it has no encoding)
            mode = _mode(node, 1)
            text_mode = mode is None or (isinstance(mode, str) and "b" not in mode)
        elif name == "open":  # Path.open(mode) and the like: only an explicit text mode is known to be text
            mode = _mode(node, 0)
            text_mode = isinstance(mode, str) and mode != "?" and "b" not in mode
        elif name in TEXT_METHODS or name == "TextIOWrapper":
            text_mode = True
        elif name in SUBPROCESS and owner == "subprocess":
            text_mode = any(k.arg in ("text", "universal_newlines")
                            and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                            for k in node.keywords)
        if text_mode:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}(...) without encoding=")
    return found


def test_every_file_and_pipe_the_kit_opens_says_its_encoding():
    """On a Chinese Windows machine the default is GBK: the kit never relies on it (the package, the scripts,
    the release's grade.py)."""
    files = [*sorted((ROOT / "autograder").rglob("*.py")), *sorted((ROOT / "scripts").rglob("*.py"))]
    found = [line for path in files for line in default_encodings(path)]
    assert not found, "\n".join(found)


def test_the_encoding_scan_finds_what_it_looks_for(tmp_path):
    sample = ROOT / "tests" / "_sample_default_encoding.py"
    try:
        sample.write_text("import subprocess\nfrom pathlib import Path\nopen('x')\nopen('x', 'w')\nopen('x', 'rb')\n"
                          "Path('x').read_text()\nPath('x').write_text('', encoding='utf-8')\n"
                          "subprocess.run(['x'], text=True)\nsubprocess.run(['x'], capture_output=True)\n",
                          encoding="utf-8")
        assert [line.split(":")[1] for line in default_encodings(sample)] == ["3", "4", "6", "8"]
    finally:
        sample.unlink()


# ----------------------------------------------------------------- a file saved in GBK


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_file_saved_in_gbk_is_one_message_naming_the_encoding(tmp_path, grade_path, monkeypatch, lang):
    monkeypatch.setenv("AUTOGRADER_LANG", lang)
    work = copy_solutions(tmp_path / "work")
    path = work / "ex1_manual_gradients.py"
    source = path.read_text(encoding="utf-8").replace("def dloss", "# 损失函数的导数\ndef dloss", 1)
    path.write_bytes(source.encode("gbk"))
    exercise = "ex1_manual_gradients"
    report = grade_path(work)
    ex1 = [t for t in report.tests if t.exercise == exercise]
    assert ex1 and all(t.score == 0 for t in ex1)
    assert all(t.score == t.max_score for t in report.tests if t.exercise != exercise)
    full = [t for t in ex1 if "损失函数的导数" in t.message]
    assert len(full) == 1, [t.message for t in ex1]  # the cause once, with the line as the learner wrote it
    message = full[0].message
    assert "GBK" in message and "UTF-8" in message and "Save with Encoding" in message
    assert ("not saved as UTF-8" if lang == "en" else "不是以 UTF-8 编码保存的") in message
    blocked = text("report.blocked_by_encoding", title=full[0].name)
    assert all(t.message == blocked for t in ex1 if t is not full[0])
    assert not any("SyntaxError" in t.message or "syntax" in t.message.lower() for t in ex1)


def test_a_file_that_declares_its_encoding_is_graded(tmp_path, grade_path):
    work = copy_solutions(tmp_path / "work")
    path = work / "ex1_manual_gradients.py"
    source = "# -*- coding: gbk -*-\n" + path.read_text(encoding="utf-8").replace("def dloss", "# 导数\ndef dloss", 1)
    path.write_bytes(source.encode("gbk"))
    report = grade_path(work, only={"test_dloss_scalar"})
    assert [t.status for t in report.tests] == ["passed"]


# ----------------------------------------------------------------- the folder walk on Windows


def _layout(folder: Path) -> None:
    copy_solutions(folder / "deep" / "deeper")
    copy_solutions(folder / "top")
    (folder / "top" / "ex2_linear_regression.py").unlink()
    os.symlink(SOLUTIONS / "ex2_linear_regression.py", folder / "top" / "ex2_linear_regression.py")
    os.link(folder / "deep" / "deeper" / "ex3_mlp_backprop.py", folder / "top" / "linked.py")
    (folder / "top" / "ex3_mlp_backprop.py").unlink()
    os.link(folder / "deep" / "deeper" / "ex3_mlp_backprop.py", folder / "top" / "ex3_mlp_backprop.py")
    os.mkfifo(folder / "ex4_autograd_nn.py")
    os.symlink(folder / "deep", folder / "a_link_to_a_folder")


def test_the_walk_by_path_reads_what_the_walk_by_descriptor_reads(tmp_path, monkeypatch):
    """Windows has no dir_fd, O_NOFOLLOW or O_DIRECTORY: its walk goes by path, with the same refusals."""
    _layout(tmp_path)
    by_descriptor = submission.stage(tmp_path)
    monkeypatch.setattr(submission, "BY_DESCRIPTOR", False)
    by_path = submission.stage(tmp_path)
    assert by_path.files == by_descriptor.files and sorted(by_path.notes) == sorted(by_descriptor.notes)
    assert set(by_path.files) == {"ex1_manual_gradients"}  # ex2 a link, ex3 a hard link, ex4 a FIFO: refused
    assert len(by_path.notes) == 3


# ----------------------------------------------------------------- a Job Object per worker on Windows


def test_a_windows_worker_gets_a_job_object_with_the_limits(monkeypatch):
    """pywin32 faked (this is Linux): the calls the kit makes and the limits it sets, counted from what the
    worker holds when its submission takes it."""
    calls = []
    info = {"BasicLimitInformation": {"LimitFlags": 0, "PerProcessUserTimeLimit": 0, "ActiveProcessLimit": 0},
            "ProcessMemoryLimit": 0}
    job = types.SimpleNamespace(name="job")
    fake_job = types.SimpleNamespace(
        JobObjectExtendedLimitInformation=9, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE=0x2000,
        JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION=0x400, JOB_OBJECT_LIMIT_PROCESS_MEMORY=0x100,
        JOB_OBJECT_LIMIT_PROCESS_TIME=0x2, JOB_OBJECT_LIMIT_ACTIVE_PROCESS=0x8,
        CreateJobObject=lambda security, name: calls.append("create") or job,
        QueryInformationJobObject=lambda handle, kind: info,
        SetInformationJobObject=lambda handle, kind, value: calls.append(("set", value["BasicLimitInformation"]["LimitFlags"])),
        AssignProcessToJobObject=lambda handle, process: calls.append(("assign", process)),
        TerminateJobObject=lambda handle, code: calls.append("terminate"))
    fake_process = types.SimpleNamespace(GetProcessMemoryInfo=lambda handle: {"PagefileUsage": 500 * 2**20},
                                         GetProcessTimes=lambda handle: {"UserTime": 3 * winjob.TICKS})
    fake_api = types.SimpleNamespace(CloseHandle=lambda handle: calls.append("close"))
    monkeypatch.setattr(winjob, "win32job", fake_job)
    monkeypatch.setattr(winjob, "win32process", fake_process)
    monkeypatch.setattr(winjob, "win32api", fake_api)
    monkeypatch.setattr(winjob, "AVAILABLE", True)
    popen = types.SimpleNamespace(_handle=1234)
    assert winjob.contain(popen) is job
    assert calls == ["create", ("set", 0x2000 | 0x400), ("assign", 1234)]
    winjob.limit(job, popen, client.Limits().for_worker("none"))
    basic = info["BasicLimitInformation"]
    assert basic["LimitFlags"] == 0x2000 | 0x400 | 0x100 | 0x2 | 0x8
    assert info["ProcessMemoryLimit"] == 500 * 2**20 + client.Limits().max_memory_bytes
    assert basic["PerProcessUserTimeLimit"] == (3 + client.Limits().max_cpu_seconds) * winjob.TICKS
    assert basic["ActiveProcessLimit"] == client.Limits().max_processes
    winjob.close(job)
    assert calls[-2:] == ["terminate", "close"]


# ----------------------------------------------------------------- the learner's commands without make


def test_the_python_of_the_venv_on_each_system(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "win32")
    assert launch.venv_python(tmp_path / ".venv") == tmp_path / ".venv" / "Scripts" / "python.exe"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert launch.venv_python(tmp_path / ".venv") == tmp_path / ".venv" / "bin" / "python"


def test_this_python_can_grade_and_an_old_torch_cannot(monkeypatch):
    assert launch.missing() == []  # the kit's .venv: numpy, torch and pytest in the accepted ranges
    versions = {"numpy": (1, 26, 4), "torch": (2, 0, 1), "pytest": (8, 0, 0)}
    monkeypatch.setattr(launch, "_version", versions.get)
    assert launch.missing() == ["torch"]  # torch 2.0 is below what the kit accepts: .venv is set up instead
    versions["torch"] = (2, 1, 0)
    assert launch.missing() == []


def test_submission_zips_exactly_the_exercise_files(tmp_path):
    release = tmp_path / "作业 1" / "张三"
    copy_solutions(release / "exercises")
    (release / "exercises" / "notes.txt").write_text("mine", encoding="utf-8")
    assert pack.submission(release) == 0
    with zipfile.ZipFile(release / "submission.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"exercises/{name}.py" for name in EXERCISES)
    for name in EXERCISES:
        (release / "exercises" / f"{name}.py").unlink()
    assert pack.submission(release) == 2


def test_python_m_autograder_grades_with_this_python_when_it_can(tmp_path):
    """A Python with compatible NumPy, torch and pytest (a conda environment, here the kit's .venv) grades at
    once: nothing is created or installed."""
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", "solutions", "-k", "dloss_scalar"],
                         cwd=ROOT, capture_output=True, timeout=300, env={**os.environ, "AUTOGRADER_LANG": "en"})
    out = run.stdout.decode("utf-8")
    assert run.returncode == 0 and "TOTAL: 2 / 2 points" in out, out + run.stderr.decode("utf-8")
    assert "Creating" not in out and "Installing" not in out


# ----------------------------------------------------------------- spawned workers (forced on Linux)


@pytest.fixture(scope="module")
def spawn_sandbox():
    os.environ[spawned.SPAWN_ENV] = "1"  # (only while the sandbox is made: nothing else of this process sees it)
    try:
        sandbox = client.Sandbox()
    finally:
        os.environ.pop(spawned.SPAWN_ENV, None)
    with sandbox:
        yield sandbox


def test_spawned_workers_grade_at_the_none_level_with_the_same_reports(tmp_path, spawn_sandbox, sandbox):
    """A sample of tests/buggy/ (one per exercise at least), the stubs and the reference: the same results and
    messages with a fresh interpreter per exercise file as with the forking zygote."""
    from autograder.grading.runner import grade

    assert isinstance(spawn_sandbox, spawned.SpawnSandbox) and spawn_sandbox.level_now() == "none"
    samples = {"solutions": SOLUTIONS, "stubs": ROOT / "exercises"}
    for bug in sorted(BUGGY.glob("*.py"))[::12]:
        build_buggy(bug, tmp_path / bug.stem)
        samples[bug.stem] = tmp_path / bug.stem
    for name, path in samples.items():
        ours = grade(path, sandbox=spawn_sandbox).to_dict()
        theirs = grade(path, sandbox=sandbox).to_dict()
        assert ours.pop("isolation") == "none"
        theirs.pop("isolation")
        assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True), name


def test_a_spawned_worker_that_times_out_is_replaced_and_its_processes_killed(tmp_path, spawn_sandbox):
    from autograder.grading.runner import grade

    work = copy_solutions(tmp_path / "work")
    path = work / "ex1_manual_gradients.py"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "def dloss(w, x, y):", "def dloss(w, x, y):\n    import subprocess, sys\n"
        "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n    while True:\n        pass\n", 1),
        encoding="utf-8")
    before = set(os.listdir("/proc"))
    report = grade(work, sandbox=spawn_sandbox, limits=client.Limits(call_seconds=3.0, import_seconds=3.0),
                   only={"test_dloss_scalar", "test_mse_grad_autograd"})
    statuses = {t.test_id: t.status for t in report.tests}
    assert statuses == {"test_dloss_scalar": "timeout", "test_mse_grad_autograd": "passed"}, statuses
    left = [pid for pid in set(os.listdir("/proc")) - before if pid.isdigit()
            and "time.sleep(600)" in Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")]
    assert not left, "a process the learner's code started outlived its worker"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_each_student_readme_gives_the_commands_of_every_system(lang):
    from autograder.build import bundles

    readme = bundles.student_readme(lang)
    header = next(line for line in readme.splitlines() if "PowerShell" in line)
    assert "cmd" in header and "macOS" in header and "Linux" in header
    for command in ("", " report", " watch", " submission"):
        assert f"`py grade.py{command}`" in readme and f"`python3 grade.py{command}`" in readme, command
    assert "make grade" in readme and "conda" in readme and "2.13.0" in readme
    grade_py = bundles.student_grade_py(lang)
    compile(grade_py, "grade.py", "exec")
    assert ("DEFAULT_LANG = 'zh_CN'" if lang == "zh_CN" else "DEFAULT_LANG = None") in grade_py


@pytest.mark.parametrize("name, expected", [("zh-CN", "zh_CN"), ("zh-TW", "zh_CN"), ("en-US", "en"), ("", "en")])
def test_on_windows_the_language_follows_the_users_locale(monkeypatch, name, expected):
    from autograder import messages

    for variable in ("AUTOGRADER_LANG", *messages.LOCALE_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(messages, "_windows_locale", lambda: name)
    assert messages.language() == expected


WINDOWS_LIKE = '''
import importlib.abc, os, signal, sys
class _Absent(importlib.abc.MetaPathFinder):  # modules Windows does not have
    def find_spec(self, name, path=None, target=None):
        if name in ("pwd", "grp", "resource", "fcntl", "termios"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _Absent())
for name in [n for n in dir(os) if n.startswith("ST_")] + ["fork", "forkpty", "pidfd_open", "geteuid", "getuid",
             "getegid", "killpg", "setsid", "O_NOFOLLOW", "O_DIRECTORY"]:
    if hasattr(os, name):
        delattr(os, name)
for name in ("pidfd_send_signal", "SIGKILL"):
    if hasattr(signal, name):
        delattr(signal, name)
'''


def test_the_kit_imports_and_stages_without_what_windows_lacks(tmp_path):
    """Python on Windows has no pwd, resource or fcntl, no fork, uids, O_NOFOLLOW or os.ST_*: every module the
    learner's path imports (the spawned worker's among them) still imports, and a submission is read by path."""
    copy_solutions(tmp_path / "work")
    code = WINDOWS_LIKE + f'''
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from autograder.channels import cli, launch, notebook, watch
from autograder.grading import runner, submission
from autograder.sandbox import client, levels, spawned, winjob
sys.path.insert(0, {str(ROOT / "autograder" / "sandbox")!r})
import spawned_worker, zygote
assert zygote.resource is None and zygote.jail is None and levels.pwd is None and not winjob.AVAILABLE
assert submission.BY_DESCRIPTOR is False
assert sorted(submission.stage(Path({str(tmp_path / "work")!r})).files) == sorted({list(EXERCISES)!r})
sys.platform = "win32"
assert client.requested_level() == "none" and spawned.why_spawn() == "this system has no fork()"
print("ok")
'''
    env = {key: value for key, value in os.environ.items() if key not in (spawned.SPAWN_ENV, client.LEVEL_ENV)}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, encoding="utf-8", timeout=300, env=env)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


def test_grade_py_from_another_folder_grades_the_exercises_beside_it(tmp_path):
    """`python path/to/grade.py` (a double-click, a terminal opened elsewhere): the release's own exercises."""
    from autograder.build import bundles

    release = tmp_path / "作业 1" / "张三"
    shutil.copytree(ROOT / "autograder", release / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "exercises", release / "exercises")
    (release / "grade.py").write_text(bundles.student_grade_py("en"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run([sys.executable, str(release / "grade.py"), "--public-only", "-k", "dloss_scalar"],
                         cwd=elsewhere, capture_output=True, timeout=300,
                         env={**os.environ, "AUTOGRADER_LANG": "en"})
    out = run.stdout.decode("utf-8")
    assert run.returncode == 0 and "TOTAL: 0 / 2 points" in out and "TODO" in out, out + run.stderr.decode()
    assert not (elsewhere / "exercises").exists()


def test_linux_walks_submission_folders_by_descriptor():
    """Where the system allows it (Linux), folders are walked through descriptors, never by path: a folder
    cannot be swapped for a link between two steps of the walk."""
    import sys

    from autograder.grading import submission

    if sys.platform.startswith("linux"):
        assert submission.BY_DESCRIPTOR
