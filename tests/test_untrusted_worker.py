"""Code in the worker can patch anything in its own process; the grader believes only the bytes it gets.

A submission may replace ``torch.Tensor.backward``, subclass ``torch.Tensor``
or rewrite the worker's copy of the codec. None of it may turn a wrong answer
into points: gradients are differenced in the grading process, and a tensor's
dtype is the dtype of the bytes that came back.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from autograder.messages import text

from conftest import MAX, copy_solutions, splice

EX2 = "ex2_linear_regression"

# A wrong squared_loss (twice the loss) with torch's backward patched to backpropagate half of what it
# is asked: any gradient computed in the worker comes out right, every value stays wrong.
PATCHED_BACKWARD = '''
def squared_loss(y_hat, y):
    import torch

    if not getattr(torch.autograd.backward, "patched", False):
        real = torch.autograd.backward

        def autograd_backward(tensors, grad_tensors=None, *args, **kwargs):
            if isinstance(tensors, torch.Tensor):
                tensors = tensors / 2
            else:
                tensors = [t / 2 for t in tensors]
            return real(tensors, grad_tensors, *args, **kwargs)

        def tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
            return real(self / 2, gradient, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)

        autograd_backward.patched = True
        torch.autograd.backward = autograd_backward
        torch.Tensor.backward = tensor_backward
    return (y_hat - y.reshape(y_hat.shape)) ** 2
'''


def _submission(tmp_path, replacement: str):
    sub = copy_solutions(tmp_path / "s")
    module = sub / f"{EX2}.py"
    module.write_text(splice(module.read_text(), textwrap.dedent(replacement)))
    return sub


def _broken(report):
    return [(t.name, t.debug) for t in report.tests if t.debug]


def test_the_backward_patch_fools_a_backward_run_in_the_worker(tmp_path):
    """The attack is real: in the submission's own process, autograd gives the right gradient."""
    sub = _submission(tmp_path, PATCHED_BACKWARD)
    probe = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(sub)!r})
        import torch
        from {EX2} import squared_loss
        y_hat = torch.tensor([[0.5], [-1.0], [2.0]], dtype=torch.float64, requires_grad=True)
        y = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64)
        upstream = torch.tensor([[1.0], [2.0], [3.0]], dtype=torch.float64)
        loss = squared_loss(y_hat, y)
        (loss * upstream).sum().backward()
        print(json.dumps({{"loss": loss.detach().ravel().tolist(), "grad": y_hat.grad.ravel().tolist()}}))
    """)
    out = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                                    timeout=120).stdout)
    assert out["grad"] == pytest.approx([(0.5 - 1) * 1, (-1 - 1) * 2, (2 - 1) * 3])  # the right gradient
    assert out["loss"] == pytest.approx([0.25, 4.0, 1.0])  # twice the right loss


def test_patched_backward_cannot_make_a_wrong_squared_loss_pass(tmp_path, grade_path):
    report = grade_path(_submission(tmp_path, PATCHED_BACKWARD))
    assert not _broken(report), _broken(report)
    checks = [t for t in report.tests if t.exercise == EX2 and t.function == "squared_loss"]
    assert len(checks) >= 2, [t.name for t in checks]
    assert all(t.score == 0 and t.status == "failed" for t in checks), [(t.name, t.score, t.message) for t in checks]
    gradient = next(t for t in checks if "gradient" in t.name)
    assert text("ex2.hint.loss_missing_half") in gradient.message, gradient.message


# Float64 data in a subclass whose dtype property says float32 (the class is made inside the function:
# the splice only carries functions).
LYING_SUBCLASS = '''
def synthetic_data(w, b, num_examples):
    class LyingTensor(torch.Tensor):
        @property
        def dtype(self):
            return torch.float32

    X = torch.normal(0.0, 1.0, (num_examples, len(w)), dtype=torch.float64)
    y = X @ w.double() + b + torch.normal(0.0, 0.01, (num_examples,), dtype=torch.float64)
    return X.as_subclass(LyingTensor), y.reshape(-1, 1).as_subclass(LyingTensor)
'''

# The same lie, with the worker's codec told to trust the subclass and to send "torch.float32" as well.
FORGED_CODEC = '''
def synthetic_data(w, b, num_examples):
    import sys

    class LyingTensor(torch.Tensor):
        @property
        def dtype(self):
            return torch.float32

    codec = next((m for m in list(sys.modules.values())  # (torch.ops "has" every attribute)
                  if "_encode_tensor" in getattr(m, "__dict__", {}) and "ProtocolError" in m.__dict__), None)
    if codec is None:
        raise RuntimeError("attack not run: no codec module in the worker")
    if not getattr(codec.encode, "forged", False):
        real_encode = codec.encode

        def encode(value, *args, **kwargs):
            out = real_encode(value, *args, **kwargs)
            if isinstance(out, dict) and out.get("t") == "tensor":
                out["dtype"] = "torch.float32"
            return out

        encode.forged = True
        codec.encode = encode
        codec._exact_tensor = lambda value, torch_module: isinstance(value, torch_module.Tensor)
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), dtype=torch.float64)
    y = X @ w.double() + b + torch.normal(0.0, 0.01, (num_examples,), dtype=torch.float64)
    return X.as_subclass(LyingTensor), y.reshape(-1, 1).as_subclass(LyingTensor)
'''


@pytest.mark.parametrize("replacement", [LYING_SUBCLASS, FORGED_CODEC], ids=["subclass", "forged-codec"])
def test_lying_tensor_subclass_does_not_pass_the_float32_check(replacement, tmp_path, grade_path):
    report = grade_path(_submission(tmp_path, replacement))
    assert not _broken(report), _broken(report)
    checks = [t for t in report.tests if t.exercise == EX2 and t.function == "synthetic_data"]
    assert checks and not any("attack not run" in t.message for t in checks), [t.message for t in checks]
    float32 = next(t for t in checks if "float32" in t.name)
    assert float32.score == 0 and float32.status == "failed", (float32.status, float32.message)
    if replacement is FORGED_CODEC:
        # the tensor did arrive, and its dtype is the one of its bytes
        assert "torch.float64" in float32.message, float32.message


def test_a_large_exercise_file_is_still_graded(tmp_path, grade_path):
    """The tight limit is on what comes back from the sandbox, not on the files the grader sends in."""
    sub = copy_solutions(tmp_path / "s")
    module = sub / "ex1_manual_gradients.py"
    module.write_text(module.read_text() + "\n" + ("# " + "x" * 98 + "\n") * 15_000)  # 1.5 MB of comments
    report = grade_path(sub)
    assert not _broken(report), _broken(report)[:1]
    assert report.score == MAX, [(t.name, t.message) for t in report.tests if t.status != "passed"][:2]


def test_preloaded_libraries_are_imported_once_before_forking(monkeypatch):
    """The course's PRELOAD is imported by the zygote right after it starts its first submission (while the
    grader checks that one), and a submission's own before its first fork: workers inherit them, at no cost
    per submission."""
    import time

    from autograder.sandbox.client import Limits, Sandbox, Session

    probe = ("import sys\n\n\ndef linreg(X, w, b):\n"
             "    return ['graphlib' in sys.modules, 'zipapp' in sys.modules]\n")
    files = {EX2: probe.encode()}
    seen = []
    # its own, to see what a fresh zygote holds; the course's preload as grading passes it (course_sandbox)
    with Sandbox(flavours=("torch",), preload=("graphlib",)) as sandbox:
        for preload in ((), (), ("zipapp",), ("zipapp",)):
            session = Session(sandbox, files, Limits(), preload={EX2: preload})
            started = time.monotonic()
            try:
                seen.append((session.call(EX2, "linreg", 1, 2, 3).value, time.monotonic() - started))
            finally:
                session.close()
    # the first submission was forked before the course's preload; the next ones inherit it, and a
    # submission's own preload is there before its first fork
    assert [loaded for loaded, _ in seen] == [[False, False], [True, False], [True, True], [True, True]], seen
    assert seen[3][1] < 1.0, f"a second submission paid for the preload again: {seen}"


OPTIMIZER = """import sys

import torch


def train(X, y, lr, steps):
    torch.manual_seed(0)
    net = torch.nn.Linear(X.shape[1], 1)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.5)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(net(X), y).backward()
        optimizer.step()
    return [net.weight.detach(), net.bias.detach(), 'torch._dynamo.config' in sys.modules]


def compiler_config():
    import torch._dynamo.config
    return [torch._dynamo.config.cache_size_limit, hasattr(sys.modules['torch._dynamo'], 'optimize')]
"""


def test_optimizers_run_without_importing_the_compiler(sandbox):
    """In the sandbox, torch.optim runs without torch._dynamo (1.3 s to import; see libraries._defer_dynamo) and
    gives the same bits as here, where the real one is used; asking for the compiler still gets it."""
    from autograder.sandbox.client import Limits, Session

    generator = torch.Generator().manual_seed(3)
    X, y = torch.randn(20, 3, generator=generator), torch.randn(20, 1, generator=generator)
    session = Session(sandbox, {EX2: OPTIMIZER.encode()}, Limits())
    try:
        weight, bias, compiler_loaded = session.call(EX2, "train", X, y, 0.1, 25).value
        limit, real = session.call(EX2, "compiler_config").value
    finally:
        session.close()
    assert compiler_loaded is False
    namespace: dict = {}
    exec(OPTIMIZER, namespace)  # noqa: S102 - the kit's own code, the reference for the sandbox's run
    expected_weight, expected_bias, _ = namespace["train"](X, y, 0.1, 25)
    np.testing.assert_array_equal(weight.values, expected_weight.numpy())
    np.testing.assert_array_equal(bias.values, expected_bias.numpy())
    assert isinstance(limit, int) and limit > 0 and real is True


ENDLESS = """import torch


def same_batch_for_ever(rows):
    batch = torch.zeros(rows, 2)
    while True:
        yield batch, batch[:, :1]


def numbers_for_ever():
    n = 0
    while True:
        n += 1
        yield n


def short(n):
    yield from range(n)


def big_for_ever(size):
    while True:
        yield torch.zeros(size)
"""


def test_a_generator_that_never_stops_comes_back_cut_short_and_marked(sandbox):
    """The worker reads a generator up to codec.MAX_ITEMS items and codec.MAX_GENERATED_BYTES of JSON (the first
    item whatever its size), and marks what it read ``truncated``: the answer of a loop that never moves on is
    read (and named by the check), not refused as too large; a generator that ends comes back whole and unmarked."""
    from autograder.sandbox import codec
    from autograder.sandbox.client import Limits, Session

    session = Session(sandbox, {EX2: ENDLESS.encode()}, Limits())
    try:
        batches = session.call(EX2, "same_batch_for_ever", 10).value
        numbers = session.call(EX2, "numbers_for_ever").value
        whole = session.call(EX2, "short", 7).value
        big = session.call(EX2, "big_for_ever", 120_000).value  # (one item, over half the budget on its own)
    finally:
        session.close()
    assert isinstance(batches, codec.Generated) and batches.truncated is True
    size = sum(codec.json_size(codec.encode(item)) for item in [(torch.zeros(10, 2), torch.zeros(10, 1))])
    assert codec.MAX_GENERATED_BYTES - size < size * len(batches.items) <= codec.MAX_GENERATED_BYTES
    assert isinstance(numbers, codec.Generated) and numbers.truncated is True
    assert numbers.items == list(range(1, codec.MAX_ITEMS + 1))
    assert isinstance(whole, codec.Generated) and whole.truncated is False and whole.items == list(range(7))
    assert isinstance(big, codec.Generated) and big.truncated is True and len(big.items) == 1  # the first is kept


def test_closing_the_sandbox_spares_a_process_that_took_an_old_inits_pid():
    """When the grader hangs up, the zygote ends the inits still alive through pidfds: a process that has since
    been given an ended init's pid (same uid: the one the sandbox runs as) is not killed."""
    import os
    import time

    from autograder.sandbox import client

    if os.geteuid() != 0 or not os.access("/proc/sys/kernel/ns_last_pid", os.W_OK):
        pytest.skip("needs root, to hand the ended init's pid to another process")
    sandbox = client.Sandbox(flavours=("numpy",))
    try:
        init = sandbox.open_submission("numpy", {"ex.py": b"x = 1\n"}, None, client.Limits())
        pid = init.pid
        init.close()  # the grader ends this submission
        deadline = time.monotonic() + 5
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.05)
        uid, gid = client.sandbox_ids()
        for _ in range(50):  # the next fork gets the ended init's pid
            with open("/proc/sys/kernel/ns_last_pid", "w") as handle:
                handle.write(str(pid - 1))
            victim = subprocess.Popen(["sleep", "100"], preexec_fn=lambda: (os.setgid(gid), os.setuid(uid)))
            if victim.pid == pid:
                break
            victim.kill()
            victim.wait()
        else:
            pytest.skip("could not hand the pid over")
    finally:
        sandbox.close()
    try:
        time.sleep(0.3)
        assert victim.poll() is None, f"the zygote killed pid {pid}, no longer its init: {victim.returncode}"
    finally:
        victim.kill()
        victim.wait()


HEADERS_PROBE = """import os

import numpy


def dloss(w, x, y):
    folder = os.path.join(os.path.dirname(numpy.__file__), "_core", "include")
    return [os.path.isdir(folder), sorted(os.listdir(folder)) if os.path.isdir(folder) else None]
"""


def test_the_graders_files_look_empty_where_the_sandbox_shows_their_host_folder(monkeypatch):
    """A kit installed with `pip install .` lies inside a site-packages folder the sandbox shows; every
    trusted path (the package with its hidden checks, the checkout, the solutions) that lies inside a
    shown folder looks empty in there. NumPy's C headers stand in for an installed kit: shown, then hidden."""
    from autograder.sandbox import levels
    from autograder.sandbox.client import Limits, Sandbox, Session

    ex1 = "ex1_manual_gradients"
    headers = Path(np.__file__).resolve().parent / "_core" / "include"
    seen, own = [], levels.trusted_paths
    for trusted in (own, lambda extra=(): [*own(extra), headers]):
        monkeypatch.setattr(levels, "trusted_paths", trusted)
        with Sandbox(flavours=("numpy",)) as sandbox:
            if sandbox.level_now() != "namespaces":
                pytest.skip("no namespace sandbox here: nothing is mounted, the README's weaker levels apply")
            session = Session(sandbox, {ex1: HEADERS_PROBE.encode()}, Limits(), flavours={ex1: "numpy"})
            try:
                seen.append(session.call(ex1, "dloss", 1.0, 2.0, 3.0).value)
            finally:
                session.close()
    assert seen[0] == [True, sorted(p.name for p in headers.iterdir())] and seen[0][1], seen
    assert seen[1] == [True, []], seen


def test_trusted_paths_are_mapped_into_the_folders_that_show_them():
    from autograder.course import registry
    from autograder.grading.sandboxes import course_sandbox
    from autograder.sandbox import levels

    paths = levels.trusted_paths()
    assert Path(levels.__file__).resolve().parent.parent in paths
    # the solutions are the course's: grading names them (the sandbox imports nothing of the course)
    with course_sandbox(("numpy",)) as sandbox:
        assert registry.solutions_dir().resolve() in levels.trusted_paths(sandbox._course["trusted"])
    binds = [("/venv/lib/site-packages", "/opt/site-packages-0"), ("/usr", "/usr")]
    assert levels._hidden_inside(binds, [Path("/venv/lib/site-packages/autograder"), Path("/usr/src/kit"),
                                         Path("/home/me/kit")]) == ["/opt/site-packages-0/autograder", "/usr/src/kit"]


def test_a_trusted_folder_that_holds_a_shown_folder_is_hidden_around_it(tmp_path):
    """A checkout kept under /usr with its Python inside: its other folders are hidden, the Python is not (the
    sandbox needs it); a bind whose source is a link is matched by where it leads."""
    from autograder.sandbox import levels

    kit = tmp_path / "usr" / "src" / "kit"
    for folder in ("autograder/checks/hidden", "solutions", "python/lib", "tests"):
        (kit / folder).mkdir(parents=True)
    binds = [(str(tmp_path / "usr"), "/usr"), (str(kit / "python"), "/usr/src/kit/python")]
    assert levels._hidden_inside(binds, [kit]) == ["/usr/src/kit/autograder", "/usr/src/kit/solutions",
                                                   "/usr/src/kit/tests"]
    (tmp_path / "lib64").symlink_to(tmp_path / "usr")
    assert levels._hidden_inside([(str(tmp_path / "lib64"), "/lib64")], [kit / "solutions"]) == \
        ["/lib64/src/kit/solutions"]
