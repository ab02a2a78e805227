"""Submission layouts for the staging attacks (links, special files, hostile zips)."""

from __future__ import annotations

import json
import os
import stat
import struct
import zipfile
from pathlib import Path

from autograder.course import registry

EXERCISES = registry.names()  # discovered from the files, never listed here


def _target(campaign, attack, config) -> Path:
    return Path(config["solutions"]) / f"{attack.module}.py"


def symlink_solution(campaign, attack, folder: Path, config) -> Path:
    path = folder / f"{attack.module}.py"
    path.unlink()
    path.symlink_to(_target(campaign, attack, config))
    return folder


def symlink_rootonly(campaign, attack, folder: Path, config) -> Path:
    path = folder / f"{attack.module}.py"
    path.unlink()
    path.symlink_to(campaign.rootonly)
    return folder


def symlink_dir(campaign, attack, folder: Path, config) -> Path:
    """A sub-folder that is a symbolic link to the checkout's solutions/ folder."""
    (folder / f"{attack.module}.py").unlink()
    (folder / "work").symlink_to(Path(config["solutions"]), target_is_directory=True)
    return folder


def fifo(campaign, attack, folder: Path, config) -> Path:
    path = folder / f"{attack.module}.py"
    path.unlink()
    os.mkfifo(path)
    return folder


def device(campaign, attack, folder: Path, config) -> Path:
    path = folder / f"{attack.module}.py"
    path.unlink()
    os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # like /dev/zero: reading never ends
    return folder


def hardlink_solution(campaign, attack, folder: Path, config) -> Path:
    """A hard link to a solution file. Linked to a copy outside the checkout: a link to the checkout's
    own file would outlive the test in pytest's temporary folders (its link count, not its text, is
    what the grader refuses)."""
    path = folder / f"{attack.module}.py"
    path.unlink()
    target = _target(campaign, attack, config)
    if target.resolve().is_relative_to(Path(__file__).resolve().parent.parent):
        stand_in = folder.parent / f"{folder.name}-reference-{attack.module}.py"
        if not stand_in.exists():
            stand_in.write_bytes(target.read_bytes())
        target = stand_in
    os.link(target, path)
    return folder


def _only_zip(folder: Path) -> Path:
    for module in EXERCISES:
        (folder / f"{module}.py").unlink(missing_ok=True)
    return folder / "work.zip"


def zip_symlink_entry(campaign, attack, folder: Path, config) -> Path:
    archive = _only_zip(folder)
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo(f"work/{attack.module}.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        info.create_system = 3
        zf.writestr(info, str(_target(campaign, attack, config)))
    return folder


def zip_traversal(campaign, attack, folder: Path, config) -> Path:
    archive = _only_zip(folder)
    marker = config["marker"]
    source = (Path(config["solutions"]).parent / "solutions" / f"{attack.module}.py")
    text = source.read_text() if source.is_file() else "x = 1\n"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"../../../../../../tmp/{marker}-trav/{attack.module}.py", text)
        zf.writestr(f"/tmp/{marker}-abs/{attack.module}.py", text)
        zf.writestr(f"../{marker}-up.py", "print('escaped')\n")
    return folder


def _patch_sizes(data: bytes, fake: int) -> bytes:
    """Make every header claim ``fake`` uncompressed bytes (a zip bomb that lies about its size)."""
    out = bytearray(data)
    at = 0
    while True:
        at = out.find(b"PK\x03\x04", at)
        if at < 0:
            break
        struct.pack_into("<I", out, at + 22, fake)
        at += 4
    at = 0
    while True:
        at = out.find(b"PK\x01\x02", at)
        if at < 0:
            break
        struct.pack_into("<I", out, at + 24, fake)
        at += 4
    return bytes(out)


def zip_bomb(campaign, attack, folder: Path, config) -> Path:
    archive = _only_zip(folder)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open(f"{attack.module}.py", "w") as handle:
            chunk = b"#" * (1 << 20)
            for _ in range(256):  # 256 MiB of comment characters, ~250 KB compressed
                handle.write(chunk)
    archive.write_bytes(_patch_sizes(archive.read_bytes(), 1000))
    return folder


def zip_many_entries(campaign, attack, folder: Path, config) -> Path:
    archive = _only_zip(folder)
    source = Path(config["solutions"]) / f"{attack.module}.py"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for i in range(60_000):
            zf.writestr(f"junk/{i % 50}/{i}", b"")
        for module in EXERCISES:
            zf.writestr(f"work/{module}.py", (Path(__file__).parent.parent / "solutions" / f"{module}.py").read_text()
                        if module != attack.module else "raise SystemExit\n")
    del source
    return folder


def nested_expression(campaign, attack, folder: Path, config) -> Path:
    """The reference file, plus a function that returns 1+1+...+1 with 20 000 terms (too deep for ast)."""
    source = (Path(__file__).parent.parent / "solutions" / f"{attack.module}.py").read_text()
    (folder / f"{attack.module}.py").write_text(source + "\n\ndef _nested():\n    return " + "+".join(["1"] * 20_000)
                                                + "\n")
    return folder




def zip_duplicate(campaign, attack, folder: Path, config) -> Path:
    """The exercise file twice under one name: the reference first, the stub (what unzip shows) last."""
    import warnings

    from autograder.course.stubs import strip_solution

    archive = _only_zip(folder)
    solution = (Path(__file__).parent.parent / "solutions" / f"{attack.module}.py").read_text()
    with warnings.catch_warnings(), zipfile.ZipFile(archive, "w") as zf:
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: that is the attack
        zf.writestr(f"work/{attack.module}.py", solution)
        zf.writestr(f"work/{attack.module}.py", strip_solution(solution, attack.module))
    return folder


def page_cache_pair(campaign, attack, folder: Path, config) -> Path:
    """Two attacked files: the attack's own module, and ``PAIR = (module, source)`` spliced into another one."""
    from attack_kit import COMMON, splice_attack

    prelude = f"_ATTACK = {json.dumps(config)!s}\n" + COMMON.read_text() + "\n\n"
    other, source = attack.meta["PAIR"]
    for module, attack_source in ((attack.module, attack.source), (other, source)):
        target = folder / f"{module}.py"
        target.write_text(prelude + splice_attack(target.read_text(), attack_source))
    return folder


LAYOUTS = {f.__name__: f for f in (symlink_solution, symlink_rootonly, symlink_dir, fifo, device, hardlink_solution,
                                   zip_symlink_entry, zip_traversal, zip_bomb, zip_many_entries, nested_expression,
                                   zip_duplicate, page_cache_pair)}
