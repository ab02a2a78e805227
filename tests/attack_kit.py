"""The attack campaign: build every hostile submission, grade them in every mode, collect the evidence.

Each file in ``tests/attacks/`` is one attack: constants (``MODULE``, ``CLASS``, ``MODES``, ``BASE``,
optional ``LAYOUT``, ``BASELINE``, ``GRADE``, ``ORDER``, ``GROUP``, ``PEER``) and code. Functions the
exercise file already defines are replaced (as in ``tests/buggy``); everything else in the attack
file (imports, helpers, module-level code) is appended to the exercise file, so it runs at import.
``_ATTACK`` (a dict: the attack's marker, the campaign id, paths and ports the attack may aim at)
and the helpers of ``tests/attacks/_common.py`` are put at the top.

Everything an attack could reach is the test's own: a scratch folder, the checkout (restored by
:func:`restore`), the venv's site-packages (planted files removed), and processes whose command
line (or an ancestor's) holds the campaign id. The whole class is graded in a few runs: grade mode
in this process (or one ``python -m autograder grade`` per attack where the grader itself is the
target), one ``batch`` run (plus one for the disruptive attacks), and Gradescope runs holding up to
one attack per exercise file.
"""

from __future__ import annotations

import ast
import concurrent.futures
import csv
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import EXERCISES
from autograder.stubs import strip_solution

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ATTACKS = Path(__file__).parent / "attacks"
COMMON = ATTACKS / "_common.py"
SECRET_NAME = "AUTOGRADER_TEST_SECRET"
MODES = ("grade", "batch", "gradescope")
SUBPROCESS_CLASSES = {"signals", "proc", "forged"}
TIMEOUT = 4  # seconds per call into a submission (hostile loops are stopped sooner)
SITE_PACKAGES = Path(next(p for p in sys.path if p.endswith("site-packages") and p.startswith(str(ROOT))))
SCAN_DIRS = [Path("/tmp"), Path("/dev/shm"), Path("/var/tmp")]
HONEST = ("aa_honest", "zz_honest")


# ----------------------------------------------------------------- loading attacks


@dataclass
class Attack:
    name: str
    path: Path
    meta: dict
    source: str

    @property
    def module(self) -> str:
        return self.meta["MODULE"]

    @property
    def cls(self) -> str:
        return self.meta["CLASS"]

    @property
    def modes(self) -> tuple:
        return tuple(self.meta["MODES"])

    @property
    def base(self) -> str:
        return self.meta.get("BASE", "solutions")

    @property
    def grade_kind(self) -> str:
        return self.meta.get("GRADE", "subprocess" if self.cls in SUBPROCESS_CLASSES else "inprocess")


def load_attacks() -> list[Attack]:
    attacks = []
    for path in sorted(ATTACKS.glob("*.py")):
        if path.name.startswith("_"):
            continue
        source = path.read_text()
        meta = {}
        for node in ast.parse(source).body:
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper() and not node.targets[0].id.startswith("_"):
                meta[node.targets[0].id] = eval(compile(ast.Expression(node.value), str(path), "eval"), {"__builtins__": {}})
        meta["doc"] = (ast.get_docstring(ast.parse(source)) or "").splitlines()[0:1]
        attack = Attack(path.stem, path, meta, source)
        assert attack.module in EXERCISES and set(attack.modes) <= set(MODES), path
        attacks.append(attack)
    return attacks


def base_source(module: str, base: str) -> str:
    text = (SOLUTIONS / f"{module}.py").read_text()
    return strip_solution(text, module) if base == "stubs" else text


def splice_attack(source: str, attack_source: str) -> str:
    """Replace the functions ``source`` defines; append the rest of the attack (not its constants)."""
    tree = ast.parse(attack_source)
    base_names = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    replacements, extra = {}, []
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper() and not node.targets[0].id.startswith("_"):
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "".join(attack_source.splitlines(keepends=True)[start - 1:node.end_lineno])
        if isinstance(node, ast.FunctionDef) and node.name in base_names:
            replacements[node.name] = text
        else:
            extra.append(text)
    lines = source.splitlines(keepends=True)
    spans = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name in replacements:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            spans.append((start, node.end_lineno, replacements[node.name]))
    for start, end, text in sorted(spans, reverse=True):
        lines[start - 1:end] = [text]
    return "".join(lines) + "\n\n" + "\n\n".join(extra) + "\n"


def marker_for(campaign: str, name: str, mode: str) -> str:
    return "atk" + hashlib.sha1(f"{campaign}/{name}/{mode}".encode()).hexdigest()[:12]


# ----------------------------------------------------------------- the campaign's surroundings


class Listener:
    """A TCP listener on 127.0.0.1 and an abstract unix socket; records what anyone sends."""

    def __init__(self, campaign: str):
        self.received: list[bytes] = []
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.port = self.tcp.getsockname()[1]
        self.abstract = f"atk-{campaign}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.abstract)
        self.unix.listen(64)
        self._stop = False
        for server in (self.tcp, self.unix):
            threading.Thread(target=self._serve, args=(server,), daemon=True).start()

    def _serve(self, server):
        server.settimeout(0.5)
        while not self._stop:
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(2)
            data = b"connected:"
            try:
                while len(data) < 4096:
                    chunk = conn.recv(1024)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            conn.close()
            self.received.append(data)

    def close(self):
        self._stop = True
        self.tcp.close()
        self.unix.close()


def proc_table() -> list[dict]:
    rows = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            comm = Path(f"/proc/{entry}/comm").read_text().strip()
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
        ppid = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
        rows.append({"pid": int(entry), "cmd": cmd, "comm": comm, "uid": uid, "ppid": ppid})
    return rows


def running_with(marker: str, table=None) -> list[dict]:
    return [p for p in (table or proc_table()) if marker in p["cmd"] or marker in p["comm"]]


def kill_marked(marker: str):
    """Kill, by pid, the processes an attack left (their name or command line holds its marker)."""
    for _ in range(3):
        found = running_with(marker)
        for proc in found:
            try:
                os.kill(proc["pid"], signal.SIGKILL)
            except OSError:
                pass
        if not found:
            return
        time.sleep(0.2)


def marked_paths(markers: list[str], extra_dirs: list[Path]) -> dict[str, list[str]]:
    """Files or folders whose name holds a marker, in /tmp, /dev/shm, /var/tmp (two levels) and ``extra_dirs``."""
    found: dict[str, list[str]] = {}

    def look(path: Path):
        for m in markers:
            if m in path.name:
                found.setdefault(m, []).append(str(path))

    for top in SCAN_DIRS + extra_dirs:
        try:
            entries = list(top.iterdir())
        except OSError:
            continue
        for entry in entries:
            look(entry)
            if entry.is_dir() and not entry.is_symlink() and not entry.name.startswith("pytest-of"):
                try:
                    for sub in list(entry.iterdir())[:2000]:
                        look(sub)
                except OSError:
                    pass
    return found


def marked_contents(markers: list[str], folders: list[Path]) -> dict[str, list[str]]:
    """Text files under ``folders`` that hold a marker (tampering with the checkout)."""
    found: dict[str, list[str]] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if "__pycache__" in path.parts or not path.is_file() or path.stat().st_size > 2_000_000:
                continue
            try:
                data = path.read_text(errors="ignore")
            except OSError:
                continue
            for m in markers:
                if m in data or m in path.name:
                    found.setdefault(m, []).append(str(path))
    return found


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file() and not path.is_symlink():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def strip_marker_lines(path: Path, markers: list[str]):
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError):
        return
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not any(m in line for m in markers)]
    if len(kept) != len(lines):
        while kept and kept[-1].strip() == "" and not text.endswith("\n\n"):
            kept.pop()
        path.write_text("".join(kept).rstrip("\n") + "\n")


def restore(markers: list[str], backup: Path):
    """Undo whatever an attack did to the checkout, the venv and the machine's temporary folders.

    Attacks only ever append lines holding their marker, or create files whose name holds it, so
    removing exactly those keeps anyone else's concurrent edits. If a protected file still differs
    from the backup after that and holds a marker, the backup is copied back.
    """
    for m in markers:
        kill_marked(m)
    targets = [ROOT / "solutions", ROOT / "autograder", SITE_PACKAGES]
    found = marked_contents(markers, [ROOT / "solutions", ROOT / "autograder"])
    for paths in found.values():
        for p in map(Path, paths):
            if any(m in p.name for m in markers):
                p.unlink(missing_ok=True)
            else:
                strip_marker_lines(p, markers)
    for sol in (ROOT / "solutions").glob("*.py"):
        saved = backup / "solutions" / sol.name
        if saved.is_file() and sol.read_bytes() != saved.read_bytes():
            shutil.copyfile(saved, sol)
    for entry in SITE_PACKAGES.iterdir():
        if any(m in entry.name for m in markers):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for paths in marked_paths(markers, user_site_dirs()).values():
        for p in map(Path, paths):
            try:
                shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
            except OSError:
                pass
    del targets


def user_site_dirs() -> list[Path]:
    """Other places a planted .pth would run from (the user site, the base interpreter's site-packages)."""
    base = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    user = Path.home() / ".local" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    return [base, user]


# ----------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    attack: str
    mode: str
    marker: str
    ran: bool = True
    rc: int | None = 0
    error: str = ""  # the harness could not run it (or the grader crashed)
    scores: dict = field(default_factory=dict)  # exercise -> points (None if no report)
    texts: list = field(default_factory=list)  # every output the attack's grading produced
    notes: list = field(default_factory=list)
    outputs: dict = field(default_factory=dict)  # path -> content right after the grader finished
    statuses: dict = field(default_factory=dict)  # (exercise, function) -> [status]
    messages: list = field(default_factory=list)
    isolation: str = ""
    seconds: float = 0.0
    group: str = ""
    forged: list = field(default_factory=list)

    def text(self) -> str:
        return "\n".join(self.texts)


def scores_from_tests(tests: list[dict], key="exercise") -> dict:
    scores = {e: 0.0 for e in EXERCISES}
    for t in tests:
        scores[t[key]] = scores.get(t[key], 0.0) + float(t["score"])
    return scores


# ----------------------------------------------------------------- the campaign


class Campaign:
    def __init__(self, workdir: Path, attacks: list[Attack]):
        self.id = "c" + uuid.uuid4().hex[:10]
        self.workdir = workdir / f"campaign-{self.id}"
        self.workdir.mkdir(parents=True)
        self.attacks = attacks
        self.secret = "s3cr3t-" + uuid.uuid4().hex
        self.outcomes: dict[tuple[str, str], Outcome] = {}
        self.baselines: dict[str, dict] = {}
        self.honest: dict[str, dict] = {}  # batch run -> {student: scores}
        self.batch_rows: dict[str, dict] = {}
        self.batch_csv: dict[str, str] = {}
        self.leftover: dict[str, list] = {}
        self.leftover_files: dict[str, list] = {}
        self.tampered: dict[str, list] = {}
        self.classmate_changed: dict[str, bool] = {}
        self.net: list[bytes] = []
        self.sentinel_alive = True
        self.timings: dict[str, float] = {}
        self.orphans: list[dict] = []
        self.started = time.monotonic()
        self.classmate_hashes: dict = {}
        self.batch_error: dict = {}
        self.backup = self.workdir / "backup"
        shutil.copytree(ROOT / "solutions", self.backup / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
        self.rootonly = self.workdir / "rootonly.txt"
        self.rootonly_token = f"ROOTONLY-{uuid.uuid4().hex}"
        self.rootonly.write_text(f"root only {self.rootonly_token} = (\n")
        self.rootonly.chmod(0o600)
        self.listener = Listener(self.id)
        self.sentinel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(900)", f"sentinel-{self.id}"],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
        self.site_listing = sorted(p.name for p in SITE_PACKAGES.iterdir())
        self.tmp_before = {str(p) for d in SCAN_DIRS if d.is_dir() for p in d.iterdir()}

    # -- helpers ------------------------------------------------------------
    def markers(self) -> list[str]:
        return [o.marker for o in self.outcomes.values()] + [marker_for(self.id, a.name, m)
                                                            for a in self.attacks for m in MODES]

    def env(self, **extra) -> dict:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
               "LANG": "C.UTF-8", SECRET_NAME: self.secret, "ATK_CAMPAIGN": self.id}
        for key in ("AUTOGRADER_SANDBOX_LEVEL", "LD_LIBRARY_PATH"):
            if key in os.environ:
                env[key] = os.environ[key]
        env.update(extra)
        return env

    def config(self, attack: Attack, mode: str, **paths) -> dict:
        peer = attack.meta.get("PEER")
        return {
            "marker": marker_for(self.id, attack.name, mode), "campaign": self.id, "mode": mode,
            "secret_name": SECRET_NAME, "port": self.listener.port, "abstract": self.listener.abstract,
            "sentinel_pid": self.sentinel.pid, "site_packages": str(SITE_PACKAGES),
            "user_sites": [str(p) for p in user_site_dirs()],
            "peer_marker": marker_for(self.id, peer, mode) if peer else "",
            "checkout": str(ROOT), "solutions": str(SOLUTIONS), "classmates": [], "outputs": [],
            **paths,
        }

    def build(self, attack: Attack, folder: Path, config: dict, write_base: bool = True) -> Path:
        """Write the attack's submission into ``folder`` (or the layout it asks for); returns its path."""
        folder.mkdir(parents=True, exist_ok=True)
        if write_base:
            for module in EXERCISES:
                (folder / f"{module}.py").write_text(base_source(module, attack.base))
        layout = attack.meta.get("LAYOUT")
        if layout:
            from attack_layouts import LAYOUTS

            return LAYOUTS[layout](self, attack, folder, config)
        prelude = f"_ATTACK = {json.dumps(config)!s}\n" + COMMON.read_text() + "\n\n"
        target = folder / f"{attack.module}.py"
        target.write_text(prelude + splice_attack(target.read_text(), attack.source))
        return folder

    def honest_copy(self, folder: Path, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for module in EXERCISES:
            (folder / f"{module}.py").write_text(base_source(module, "solutions") + f"\n# classmate-token-{self.id}-{name}\n")
        return folder

    # -- baselines (honest counterparts, graded in this process) ---------------
    def compute_baselines(self, grade_fn):
        variants = {"solutions": None, "stubs": None}
        for attack in self.attacks:
            if "BASELINE" in attack.meta:
                variants[f"baseline:{attack.name}"] = attack
        for key, attack in variants.items():
            folder = self.workdir / "baselines" / key.replace(":", "_")
            folder.mkdir(parents=True)
            base = key if attack is None else attack.base
            for module in EXERCISES:
                text = base_source(module, base)
                if attack is not None and module == attack.module:
                    text = splice_attack(text, attack.meta["BASELINE"])
                (folder / f"{module}.py").write_text(text)
            report = grade_fn(folder)
            self.baselines[key] = scores_from_tests([t.to_dict() for t in report.tests])

    def baseline(self, attack: Attack) -> dict:
        if "BASELINE" in attack.meta:
            return self.baselines[f"baseline:{attack.name}"]
        if attack.meta.get("LAYOUT") and attack.meta.get("LAYOUT_REPLACES", True):
            scores = dict(self.baselines[attack.base])
            scores[attack.module] = 0.0  # the file is not (honestly) submitted at all
            return scores
        return self.baselines[attack.base]

    # -- grade mode -----------------------------------------------------------
    def run_grade_inprocess(self, attack: Attack, grade_fn):
        mode = "grade"
        out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group="inprocess")
        folder = self.workdir / "grade" / attack.name
        classmate = self.honest_copy(self.workdir / "grade-classmates" / attack.name, "grade_classmate")
        self.classmate_hashes[f"{attack.name}/{mode}"] = (classmate, tree_hash(classmate))
        config = self.config(attack, mode, classmates=[str(classmate)])
        path = self.build(attack, folder, config)
        started = time.monotonic()
        try:
            report = grade_fn(path)
        except Exception as exc:  # noqa: BLE001 - the grader broke: that is a finding
            out.error = f"grade() raised {type(exc).__name__}: {exc}"[:2000]
            out.rc = None
        else:
            data = report.to_dict()
            out.scores = scores_from_tests(data["tests"])
            out.texts += [report.render(str(path)), json.dumps(data)]
            out.notes = list(report.notes)
            out.isolation = report.isolation
            self._statuses(out, data["tests"])
        out.seconds = time.monotonic() - started
        self.outcomes[(attack.name, mode)] = out

    def run_grade_subprocess(self, attack: Attack):
        mode = "grade"
        out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group="subprocess")
        folder = self.workdir / "grade" / attack.name
        classmate = self.honest_copy(self.workdir / "grade-classmates" / attack.name, "grade_classmate")
        self.classmate_hashes[f"{attack.name}/{mode}"] = (classmate, tree_hash(classmate))
        json_out = self.workdir / "grade-json" / f"{attack.name}.json"
        json_out.parent.mkdir(parents=True, exist_ok=True)
        config = self.config(attack, mode, classmates=[str(classmate)], outputs=[str(json_out)])
        path = self.build(attack, folder, config)
        started = time.monotonic()
        try:
            run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(path), "--json", str(json_out),
                                  "--timeout", str(TIMEOUT)], cwd=ROOT, env=self.env(), capture_output=True,
                                 text=True, timeout=120, start_new_session=True)
            out.rc = run.returncode
            out.texts += [run.stdout[-200_000:], run.stderr[-200_000:]]
            if run.returncode != 0:
                out.error = f"`python -m autograder grade` exited with {run.returncode}: {run.stderr[-1500:]}"
        except subprocess.TimeoutExpired as exc:
            out.rc, out.error = None, "`python -m autograder grade` did not finish within 120 s"
            out.texts.append(str(exc.stdout or "")[-10000:])
        if json_out.is_file():
            content = json_out.read_text(errors="replace")
            out.outputs[str(json_out)] = content
            out.texts.append(content)
            try:
                data = json.loads(content)
                out.scores = scores_from_tests(data["tests"])
                out.isolation = data.get("isolation", "")
                self._statuses(out, data["tests"])
            except (ValueError, KeyError, TypeError) as exc:
                out.error = out.error or f"unreadable JSON report: {exc}"
        elif not out.error:
            out.error = "no JSON report was written"
        out.notes = [line.strip()[2:] for line in out.texts[0].splitlines() if line.strip().startswith("! ")] \
            if out.texts else []
        out.seconds = time.monotonic() - started
        self.outcomes[(attack.name, mode)] = out

    @staticmethod
    def _statuses(out: Outcome, tests: list[dict]):
        for t in tests:
            out.statuses.setdefault((t["exercise"], t["function"]), []).append((t["status"], t["score"]))
            out.messages.append(t.get("message", "") or t.get("output", ""))

    # -- batch mode -----------------------------------------------------------
    def run_batch(self, group: str, attacks: list[Attack]):
        mode = "batch"
        klass = self.workdir / f"class-{group}"
        out_csv = self.workdir / f"grades-{group}.csv"
        reports = self.workdir / f"grades-{group}_reports"
        classmates = [klass / name for name in HONEST]
        for name in HONEST:
            self.honest_copy(klass / name, name)
        folders = {}
        for attack in attacks:
            prefix = {"early": "ab", "late": "zy"}.get(attack.meta.get("ORDER", ""), "m")
            student = attack.meta.get("STUDENT") or f"{prefix}_{attack.name}"
            mine = reports / f"{student}.json"
            config = self.config(attack, mode, classmates=[str(c) for c in classmates],
                                 outputs=[str(out_csv), str(mine)])
            folders[attack.name] = (student, self.build(attack, klass / student, config))
        hashes = {c.name: tree_hash(c) for c in classmates}
        started = time.monotonic()
        error, texts = "", []
        try:
            run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--out", str(out_csv),
                                  "-j", "2", "--timeout", str(TIMEOUT)], cwd=ROOT, env=self.env(),
                                 capture_output=True, text=True, timeout=400, start_new_session=True)
            texts = [run.stdout[-200_000:], run.stderr[-200_000:]]
            if run.returncode != 0:
                error = f"`python -m autograder batch` exited with {run.returncode}: {run.stderr[-1500:]}"
        except subprocess.TimeoutExpired:
            error = "`python -m autograder batch` did not finish within 400 s"
        self.timings[f"batch-{group}"] = time.monotonic() - started
        csv_text = out_csv.read_text(errors="replace") if out_csv.is_file() else ""
        self.batch_csv[group] = csv_text
        rows = {row["student"]: row for row in csv.DictReader(io.StringIO(csv_text))} if csv_text else {}
        self.batch_rows[group] = rows
        self.honest[group] = {}
        for name in HONEST:
            self.honest[group][name] = self._batch_scores(rows.get(name), reports / f"{name}.json")
            self.classmate_changed[f"{group}/{name}"] = tree_hash(klass / name) != hashes[name]
        self.batch_error = getattr(self, "batch_error", {})
        self.batch_error[group] = error
        for attack in attacks:
            student, _ = folders[attack.name]
            out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group=f"batch-{group}")
            report_path = reports / f"{student}.json"
            row = rows.get(student) or rows.get("'" + student)
            out.texts = list(texts) + [csv_text]
            out.outputs[str(out_csv)] = csv_text
            if report_path.is_file():
                content = report_path.read_text(errors="replace")
                out.outputs[str(report_path)] = content
                out.texts.append(content)
                try:
                    data = json.loads(content)
                    out.scores = scores_from_tests(data.get("tests", []))
                    out.isolation = data.get("isolation", "")
                    self._statuses(out, data.get("tests", []))
                except ValueError as exc:
                    out.error = f"unreadable JSON report: {exc}"
            if row is None:
                out.error = error or f"no row for {student} in the CSV"
            elif row.get("status", "").startswith("grader error"):
                out.error = f"row status: {row['status']}"
            elif error:
                out.error = error
            if row is not None:
                out.isolation = out.isolation or row.get("sandbox", "")
            out.seconds = self.timings[f"batch-{group}"]
            self.outcomes[(attack.name, mode)] = out

    @staticmethod
    def _batch_scores(row, report_path: Path):
        if row is None:
            return None
        return {e: float(row[e]) for e in EXERCISES} | {"status": row.get("status"), "sandbox": row.get("sandbox")}

    # -- gradescope mode --------------------------------------------------------
    def gradescope_groups(self, attacks: list[Attack]) -> list[list[Attack]]:
        """Up to one attack per exercise file in a run (an attack replacing a whole file runs alone)."""
        groups: list[list[Attack]] = []
        phases = [[a for a in attacks if not a.meta.get("PEER")], [a for a in attacks if a.meta.get("PEER")]]
        for phase in phases:
            current: list[list[Attack]] = []
            for attack in phase:
                alone = "zip" in attack.meta.get("LAYOUT", "") or attack.meta.get("GROUP") == "disruptive"
                for group in current:
                    if not alone and all("zip" not in g.meta.get("LAYOUT", "") and g.meta.get("GROUP") != "disruptive"
                                         and g.module != attack.module and g.base == attack.base for g in group):
                        group.append(attack)
                        break
                else:
                    current.append([attack])
            groups.append(current)
        return groups

    def run_gradescope(self, attacks: list[Attack], autograder_zip: Path, index: int):
        from test_gradescope import gradescope_root

        mode = "gradescope"
        where = self.workdir / f"gs-{index}"
        where.mkdir(parents=True)
        root = gradescope_root(where, autograder_zip)
        results = root / "results" / "results.json"
        sub = root / "submission"
        staging = where / "staging"
        base = attacks[0].base
        for module in EXERCISES:
            (staging / "plain").mkdir(parents=True, exist_ok=True)
            (staging / "plain" / f"{module}.py").write_text(base_source(module, base))
        layouts = []
        for attack in attacks:
            config = self.config(attack, mode, checkout=str(root / "source"),
                                 solutions=str(root / "source" / "solutions"), outputs=[str(results)],
                                 gradescope_root=str(root))
            if attack.meta.get("LAYOUT"):
                layouts.append((attack, config))
            else:
                built = self.build(attack, staging / attack.name, config)
                shutil.copyfile(built / f"{attack.module}.py", staging / "plain" / f"{attack.module}.py")
        for module in EXERCISES:
            shutil.copyfile(staging / "plain" / f"{module}.py", sub / f"{module}.py")
        for attack, config in layouts:
            self.build(attack, sub, config, write_base=False)
        started = time.monotonic()
        error, texts = "", []
        script = f"{root / 'source' / 'run_autograder'}; exit $?"
        try:
            run = subprocess.run(["bash", "-c", script, f"atk-{self.id}"], env=self.env(
                GRADESCOPE_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable), capture_output=True, text=True,
                timeout=200, start_new_session=True)
            texts = [run.stdout[-200_000:], run.stderr[-200_000:]]
            if run.returncode != 0:
                error = f"run_autograder exited with {run.returncode}: {run.stderr[-1500:]}"
        except subprocess.TimeoutExpired:
            error = "run_autograder did not finish within 200 s"
        seconds = time.monotonic() - started
        content = results.read_text(errors="replace") if results.is_file() else ""
        data = None
        try:
            data = json.loads(content) if content else None
        except ValueError:
            error = error or "results.json is not JSON"
        numbers = {str(i): e for i, e in enumerate(EXERCISES, start=1)}
        for attack in attacks:
            out = Outcome(attack.name, mode, marker_for(self.id, attack.name, mode), group=f"gs-{index}")
            out.seconds = seconds
            out.error = error
            out.texts = list(texts) + [content]
            out.outputs[str(results)] = content
            if data is None:
                out.error = out.error or "no results.json"
            else:
                tests = [dict(t, exercise=numbers.get(str(t.get("number", "0")).split(".")[0], "?"),
                              function="?", message=t.get("output", "")) for t in data.get("tests", [])]
                out.scores = scores_from_tests(tests)
                out.notes = str(data.get("output", "")).splitlines()
                self._statuses(out, tests)
                if not tests:
                    out.error = out.error or f"results.json holds no test: {data.get('output', '')[:300]}"
            out.isolation = next((line.split(":", 1)[1].strip().split()[0] for line in texts[0].splitlines()
                                  if line.startswith("sandbox level:")), "") if texts else ""
            self.outcomes[(attack.name, mode)] = out

    # -- after everything ---------------------------------------------------------
    def settle_and_inspect(self, seconds: float = 4.0):
        time.sleep(seconds)
        table = proc_table()
        for (name, mode), out in self.outcomes.items():
            procs = running_with(out.marker, table)
            if procs:
                self.leftover[out.marker] = [f"{p['pid']} uid={p['uid']} {p['comm']}: {p['cmd'][:150]}" for p in procs]
            for path, before in list(out.outputs.items()):
                try:
                    now = Path(path).read_text(errors="replace")
                except OSError:
                    now = "<gone>"
                if now != before:
                    out.outputs[path] = before
                    out.texts.append(now)
                    out.forged.append(path)
        self.orphans = [p for p in table if (p["uid"] == 65534 or p["uid"] >= 1_500_000_000) and p["ppid"] in (0, 1)]
        markers = [o.marker for o in self.outcomes.values()]
        self.leftover_files = marked_paths(markers, [self.workdir, ROOT] + user_site_dirs())
        self.tampered = marked_contents(markers, [ROOT / "solutions", ROOT / "autograder"] +
                                        [p / "source" for p in self.workdir.glob("gs-*/autograder")])
        site_now = sorted(p.name for p in SITE_PACKAGES.iterdir())
        self.site_added = sorted(set(site_now) - set(self.site_listing))
        self.net = list(self.listener.received)
        self.sentinel_alive = self.sentinel.poll() is None
        self.solutions_changed = [p.name for p in (ROOT / "solutions").glob("*.py")
                                  if (self.backup / "solutions" / p.name).read_bytes() != p.read_bytes()]
        for key, (folder, before) in self.classmate_hashes.items():
            self.classmate_changed[key] = tree_hash(folder) != before

    def close(self):
        restore(self.markers(), self.backup)
        self.listener.close()
        try:
            os.kill(self.sentinel.pid, signal.SIGKILL)
        except OSError:
            pass
        self.sentinel.wait()
