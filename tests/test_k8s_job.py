"""deploy/grading-job.yaml: valid for Kubernetes (kubernetes-validate's schemas), within Pod Security "baseline"
where the manifest says so, and, run in a stand-in for its pod (tests/pod_standin.py: the pod's user namespace,
masked or unmasked /proc, uid and fsGroup), its doctor step passes and its command grades at the `namespaces`
level; with a pod's default (masked) /proc, doctor says why and stops the pod before grading."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import BUGGY, MAX, ROOT, build_buggy, copy_solutions

MANIFEST = ROOT / "deploy" / "grading-job.yaml"
PROFILE = ROOT / "deploy" / "seccomp" / "backprop-kit.json"
STANDIN = Path(__file__).with_name("pod_standin.py")


def documents() -> list[dict]:
    return [doc for doc in yaml.safe_load_all(MANIFEST.read_text()) if doc]


def job() -> dict:
    return next(doc for doc in documents() if doc["kind"] == "Job")


def test_the_manifest_is_valid_kubernetes():
    import kubernetes_validate

    for version in ("1.33.0", "1.35.0"):
        for doc in documents():
            kubernetes_validate.validate(doc, version, strict=True)  # raises ValidationError, naming the field


def baseline_violations(pod: dict, version: tuple[int, int]) -> list[str]:
    """Pod Security "baseline" (pod-security-admission's checks), for the fields this manifest could touch."""
    found = []
    spec = pod["spec"]
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            found.append(field)
    if any("hostPath" in volume for volume in spec.get("volumes", [])):
        found.append("hostPath")
    contexts = [spec.get("securityContext", {})] + [c.get("securityContext", {}) for c in
                                                    spec.get("containers", []) + spec.get("initContainers", [])]
    for context in contexts:
        if context.get("privileged"):
            found.append("privileged")
        allowed = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
                   "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
        if set(context.get("capabilities", {}).get("add", [])) - allowed:
            found.append("capabilities")
        if context.get("seccompProfile", {}).get("type", "RuntimeDefault") not in ("RuntimeDefault", "Localhost"):
            found.append("seccompProfile")
        if context.get("procMount", "Default") != "Default" and not (version >= (1, 35) and spec.get("hostUsers") is False):
            found.append("procMount")
    return found


def test_the_pod_isolates_within_baseline_where_kubernetes_allows_it():
    the_job = job()
    pod = the_job["spec"]["template"]
    spec = pod["spec"]
    containers = spec["containers"] + spec["initContainers"]
    assert spec["hostUsers"] is False  # a user namespace per pod
    assert all(c["securityContext"]["procMount"] == "Unmasked" for c in containers)  # a fresh /proc can be mounted
    assert all(c["securityContext"]["allowPrivilegeEscalation"] is False for c in containers)
    assert all(c["securityContext"]["capabilities"]["drop"] == ["ALL"] for c in containers)
    context = spec["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001 and context["fsGroup"] == 10001
    assert context["seccompProfile"] == {"type": "Localhost", "localhostProfile": "profiles/backprop-kit.json"}
    assert baseline_violations(pod, (1, 35)) == []
    assert baseline_violations(pod, (1, 34)) == ["procMount", "procMount"]  # what the manifest's comment says
    assert "1.35" in MANIFEST.read_text() and "baseline" in MANIFEST.read_text()
    # the init container is the pre-flight check, on the same volume as the grader
    assert spec["initContainers"][0]["args"][:3] == ["doctor", "--channel", "batch"]
    # N shards: completions, parallelism and AUTOGRADER_SHARDS agree
    shards = {e["name"]: e.get("value") for e in spec["containers"][0]["env"]}["AUTOGRADER_SHARDS"]
    # every shard grades with the grader's secret (the same hidden inputs), from a Kubernetes Secret
    secret = {e["name"]: e.get("valueFrom") for e in spec["containers"][0]["env"]}["AUTOGRADER_SECRET"]
    assert secret == {"secretKeyRef": {"name": "backprop-kit-grader-secret", "key": "secret"}}
    assert the_job["spec"]["completions"] == the_job["spec"]["parallelism"] == int(shards)
    # access modes for 8 pods on any node: the class read by all, the output written by all
    claims = {doc["metadata"]["name"]: doc["spec"]["accessModes"] for doc in documents()
              if doc["kind"] == "PersistentVolumeClaim"}
    assert claims == {"class-submissions": ["ReadOnlyMany"], "grading-output": ["ReadWriteMany"]}


def test_the_seccomp_profile_lets_the_sandbox_build_namespaces_and_keeps_the_rest_out():
    profile = json.loads(PROFILE.read_text())
    denied = {name for rule in profile["syscalls"] if rule["action"] == "SCMP_ACT_ERRNO" for name in rule["names"]}
    assert profile["defaultAction"] == "SCMP_ACT_ALLOW"
    assert not denied & {"unshare", "mount", "umount2", "pivot_root", "clone", "prctl", "seccomp"}
    assert {"ptrace", "bpf", "keyctl", "add_key", "kexec_load", "init_module", "setns", "open_by_handle_at",
            "perf_event_open", "userfaultfd", "io_uring_setup", "process_vm_readv", "reboot", "swapon"} <= denied


# ----------------------------------------------------------------------------- the pod, stood in for

needs_root = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                                reason="the pod stand-in needs root and setpriv (util-linux)")


def pod_settings(proc_mount: str | None = None) -> dict:
    spec = job()["spec"]["template"]["spec"]
    grader = spec["containers"][0]["securityContext"]
    return {"hostUsers": spec.get("hostUsers"), "procMount": proc_mount or grader.get("procMount", "Default"),
            "runAsUser": spec["securityContext"]["runAsUser"], "runAsGroup": spec["securityContext"]["runAsGroup"],
            "fsGroup": spec["securityContext"]["fsGroup"], "python_home": str(Path(sys.base_prefix).resolve())}


def host_gid(gid: int) -> int:
    """The pod's gid as the node sees it (a user-namespaced pod's volumes are id-mapped by the runtime)."""
    from pod_standin import OUTSIDE

    return OUTSIDE + gid if job()["spec"]["template"]["spec"].get("hostUsers") is False else gid


@pytest.fixture
def volumes():
    """/class (read-only, world-readable) and /out (group fsGroup, setgid, as kubelet leaves an fsGroup volume)."""
    base = Path(tempfile.mkdtemp(prefix="pod-"))
    base.chmod(0o755)
    klass, out = base / "class", base / "out"
    copy_solutions(klass / "ada")
    build_buggy(BUGGY / "ex2_sgd_no_zero_grad.py", klass / "bob")
    (klass / "cy").mkdir()
    (klass / "cy" / "notes.txt").write_text("nothing here")
    subprocess.run(["chmod", "-R", "a+rX,go-w", str(klass)], check=True)
    out.mkdir()
    os.chown(out, 0, host_gid(job()["spec"]["template"]["spec"]["securityContext"]["fsGroup"]))
    out.chmod(0o2775)
    yield {"/class": klass, "/out": out}
    shutil.rmtree(base, ignore_errors=True)


def in_pod(settings: dict, args: list[str], volumes: dict, env: dict | None = None) -> subprocess.CompletedProcess:
    """The container's ENTRYPOINT (python -m autograder) with ``args``, the pod's volume paths mapped to the host's."""
    mapped = []
    for arg in args:
        for inside, host in volumes.items():
            arg = arg.replace(inside, str(host)) if arg == inside or arg.startswith(inside + "/") else arg
        mapped.append(arg)
    spec_file = Path(volumes["/out"]).parent / "settings.json"
    spec_file.write_text(json.dumps(settings))
    command = [sys.executable, str(STANDIN), str(spec_file), "--", sys.executable, "-m", "autograder", *mapped]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {}), "AUTOGRADER_LANG": "en"})


@needs_root
def test_the_jobs_command_grades_at_the_namespaces_level_in_its_pod(volumes):
    spec = job()["spec"]["template"]["spec"]
    settings = pod_settings()
    doctor = in_pod(settings, spec["initContainers"][0]["args"], volumes)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "sandbox level: namespaces" in doctor.stdout and "readable by uid 10001" in doctor.stdout
    args = [arg.replace("$(JOB_COMPLETION_INDEX)", "{index}") for arg in spec["containers"][0]["args"]]
    for index in range(2):  # two shards of the three submissions
        run = in_pod(settings, [a.format(index=index) for a in args], volumes,
                     {"JOB_COMPLETION_INDEX": str(index), "AUTOGRADER_SHARDS": "2"})
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    out = volumes["/out"]
    merged = subprocess.run([sys.executable, "-m", "autograder", "merge", str(out / "grades-0.csv"),
                             str(out / "grades-1.csv"), "--out", str(out / "grades.csv")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert merged.returncode == 0, merged.stderr
    rows = {row["student"]: row for row in csv.DictReader((out / "grades.csv").open())}
    assert {row["sandbox"] for row in rows.values()} == {"namespaces"}
    assert float(rows["ada"]["total"]) == MAX and 0 < float(rows["bob"]["total"]) < MAX
    assert float(rows["cy"]["total"]) == 0 and rows["cy"]["status"].startswith("empty submission")
    assert (out / "grades-0.csv").stat().st_gid == host_gid(10001)  # by the pod's uid, into the fsGroup volume


@needs_root
def test_a_pods_default_masked_proc_is_named_and_refused_before_grading(volumes):
    spec = job()["spec"]["template"]["spec"]
    settings = pod_settings(proc_mount="Default")
    doctor = in_pod(settings, spec["initContainers"][0]["args"], volumes)
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert "/proc is masked" in doctor.stdout and "procMount: Unmasked" in doctor.stdout
    assert "batch would REFUSE to grade here" in doctor.stdout
    run = in_pod(settings, ["batch", "/class", "--out", "/out/grades.csv"], volumes)
    assert run.returncode == 4 and "--allow-weak-sandbox" in run.stderr
    assert not (volumes["/out"] / "grades.csv").exists()


def test_the_image_is_built_without_the_graders_secret():
    """deploy/Containerfile copies autograder/ into the image; the build context leaves out every path that .gitignore
    keeps the grader's secret under (the pods get it as a Kubernetes Secret, deploy/README.md), and Python's caches."""
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()]
    secret = [line.strip() for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
              if "grader_secret" in line and not line.lstrip().startswith("#")]
    assert secret, ".gitignore no longer names the grader's secret: update this test"
    missing = [path for path in secret if path.lstrip("/") not in ignored]
    assert not missing, f".dockerignore lets {missing} into the image"
    assert "**/__pycache__" in ignored
    assert "COPY autograder ./autograder" in (ROOT / "deploy" / "Containerfile").read_text(encoding="utf-8")
