"""Sharded grading: `batch --shard K/N` on each machine, `merge` afterwards, gives exactly the single-run
gradebook; the Kubernetes files in deploy/ name the image, the command and the shard count consistently."""

from __future__ import annotations

import filecmp
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.channels.shards import ShardError, parse_shard
from autograder.grading.class_folder import select

from conftest import BUGGY, ROOT, SOLUTIONS, load_bug, splice

EX1 = "ex1_manual_gradients"


def test_shard_specifications():
    assert parse_shard("2/8") == (2, 8) and parse_shard(" 1 / 1 ") == (1, 1)
    assert parse_shard("k8s", {"JOB_COMPLETION_INDEX": "0", "AUTOGRADER_SHARDS": "8"}) == (1, 8)
    assert parse_shard("k8s", {"JOB_COMPLETION_INDEX": "7", "AUTOGRADER_SHARDS": "8"}) == (8, 8)
    for bad in ("0/3", "4/3", "2", "a/b", "k8s"):
        with pytest.raises(ShardError):
            parse_shard(bad, {})
    items = list(range(10))
    shards = [select(items, (k, 3)) for k in (1, 2, 3)]
    assert sorted(sum(shards, [])) == items and shards[0] == [0, 3, 6, 9]


def _class_of_30(folder: Path) -> None:
    """30 small submissions, quick to grade (exercise 1 only, mostly its stub: every check a quick TODO), a few
    correct and a few with a classic mistake, a name a spreadsheet would run as a formula and two names that
    map to the same report file: what the merge must put back in the single run's order and names."""
    buggy = sorted(BUGGY.glob("ex1_*.py"))
    names = [f"student{i:02d}" for i in range(27)] + ["=cmd", "a b", "a_b"]
    for index, name in enumerate(names):
        target = folder / name
        target.mkdir(parents=True)
        text = (ROOT / "exercises" / f"{EX1}.py").read_text()
        if index % 10 == 1:
            text = (SOLUTIONS / f"{EX1}.py").read_text()
        elif index % 10 == 2:
            text = splice((SOLUTIONS / f"{EX1}.py").read_text(), load_bug(buggy[index % len(buggy)])["source"])
        (target / f"{EX1}.py").write_text(text)


def _batch(klass: Path, out: Path, *extra) -> None:
    jobs = [] if "-j" in extra else ["-j", "2"]
    run = subprocess.run([sys.executable, "-m", "autograder", "batch", str(klass), "--out", str(out), *jobs,
                          *extra], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]


def test_shards_merge_to_exactly_the_single_run(tmp_path):
    klass = tmp_path / "class"
    _class_of_30(klass)
    _batch(klass, tmp_path / "single.csv")
    shards = []
    for k in (1, 2):  # one process each, as on two machines
        shards.append(tmp_path / "shards" / f"grades-{k}.csv")
        shards[-1].parent.mkdir(exist_ok=True)
        _batch(klass, shards[-1], "--shard", f"{k}/2", "-j", "1")
    sizes = [len(path.read_text().splitlines()) - 1 for path in shards]
    assert sizes == [15, 15]
    run = subprocess.run([sys.executable, "-m", "autograder", "merge", *map(str, shards), "--out",
                          str(tmp_path / "merged.csv")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "merged.csv").read_bytes() == (tmp_path / "single.csv").read_bytes()
    single, merged = tmp_path / "single_reports", tmp_path / "merged_reports"
    names = sorted(p.name for p in single.iterdir())
    assert len(names) == 30 and names == sorted(p.name for p in merged.iterdir())
    match, mismatch, errors = filecmp.cmpfiles(single, merged, names, shallow=False)
    assert not mismatch and not errors
    # the same shard twice is refused, not counted twice
    run = subprocess.run([sys.executable, "-m", "autograder", "merge", str(shards[0]), str(shards[0]), "--out",
                          str(tmp_path / "twice.csv")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "in two shards" in run.stderr


def test_deploy_files_agree():
    documents = yaml.safe_load_all((ROOT / "deploy" / "grading-job.yaml").read_text())
    job = next(doc for doc in documents if doc and doc["kind"] == "Job")  # beside it, the PVCs it mounts
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    env = {item["name"]: item.get("value", item.get("valueFrom")) for item in container["env"]}
    assert int(env["AUTOGRADER_SHARDS"]) == spec["completions"] == spec["parallelism"]
    assert env["AUTOGRADER_SECRET"]["secretKeyRef"]["name"] in (ROOT / "deploy" / "README.md").read_text()
    args = container["args"]
    assert args[0] == "batch" and args[args.index("--shard") + 1] == "k8s"
    assert "$(JOB_COMPLETION_INDEX)" in args[args.index("--out") + 1]
    containerfile = (ROOT / "deploy" / "Containerfile").read_text()
    assert f"-t {container['image']} " in containerfile, "the image the Job runs is the one the Containerfile builds"
    assert re.search(r'^ENTRYPOINT \["python", "-m", "autograder"\]', containerfile, re.M)
    user = re.search(r"^USER (\d+)", containerfile, re.M)
    assert user and int(user.group(1)) != 0 and spec["template"]["spec"]["securityContext"]["runAsUser"] == int(user.group(1))
    assert "torch==2.13.0" in containerfile and "whl/cpu" in containerfile
    assert container["image"] in (ROOT / "deploy" / "README.md").read_text()
