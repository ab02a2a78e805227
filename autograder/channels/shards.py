"""Grading a class on several machines: ``batch --shard K/N`` grades a deterministic 1/N of the
submissions, and ``python -m autograder merge`` combines the shards' gradebooks into exactly the
gradebook one ``batch`` run over the whole folder would have written (the CSV byte for byte, and the
per-student JSON reports under the same names).

Shard K of N takes the submissions at positions K-1, K-1+N, K-1+2N, ... of the folder's sorted listing
(the order ``batch`` itself uses: :func:`autograder.grading.class_folder.select`), so every submission is graded by
exactly one shard whatever the machines. On a Kubernetes Indexed Job, ``--shard k8s`` reads K from
``JOB_COMPLETION_INDEX`` (0-based) and N from ``AUTOGRADER_SHARDS`` (see deploy/).
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from autograder.grading.results import write_atomic
from autograder.reports.classrun import columns, report_names, student_key


class ShardError(ValueError):
    """A shard specification or a set of shard outputs that cannot be used (the message says why)."""


def parse_shard(spec: str, environ=None) -> tuple[int, int]:
    """``"3/8"`` -> (3, 8); ``"k8s"`` -> (JOB_COMPLETION_INDEX + 1, AUTOGRADER_SHARDS)."""
    environ = os.environ if environ is None else environ
    if spec == "k8s":
        index, count = environ.get("JOB_COMPLETION_INDEX"), environ.get("AUTOGRADER_SHARDS")
        if index is None or count is None:
            raise ShardError(
                "--shard k8s needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job) and "
                "AUTOGRADER_SHARDS (the Job's completions) in the environment"
            )
        spec = f"{int(index) + 1}/{count}" if index.isdigit() else f"{index}/{count}"
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not match:
        raise ShardError(f"--shard {spec!r}: write it as K/N, for example 2/8 (the second of eight shards)")
    k, n = int(match.group(1)), int(match.group(2))
    if not 1 <= k <= n:
        raise ShardError(f"--shard {spec!r}: K must be between 1 and N")
    return k, n


def merge(shard_csvs: list[Path], out: Path) -> int:
    """Combine shard gradebooks (and their ``_reports`` folders) into ``out``; returns the number of rows."""
    header = columns()
    rows: list[dict[str, str]] = []
    reports: dict[str, str | None] = {}
    seen: dict[str, Path] = {}
    for path in shard_csvs:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ShardError(f"cannot read the shard {path}: {exc.strerror or exc}") from None
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames != header:
            raise ShardError(
                f"{path}: its columns {reader.fieldnames} are not this course's {header} "
                "(a shard of another course, or of another version of it?)"
            )
        shard_rows = list(reader)
        folder = Path(path).with_name(f"{Path(path).stem}_reports")
        for row, name in zip(shard_rows, report_names([student_key(r["student"]) for r in shard_rows]), strict=True):
            student = student_key(row["student"])
            if student in seen:
                raise ShardError(
                    f"{student!r} is in two shards ({seen[student]} and {path}): were the shards "
                    "made with the same N over the same folder?"
                )
            seen[student] = path
            rows.append(row)
            report = folder / f"{name}.json"
            reports[student] = report.read_text(encoding="utf-8") if report.is_file() else None
    rows.sort(key=lambda row: student_key(row["student"]))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(Path(out), buffer.getvalue())
    merged_reports = Path(out).with_name(f"{Path(out).stem}_reports")
    merged_reports.mkdir(parents=True, exist_ok=True)
    students = [student_key(row["student"]) for row in rows]
    for student, name in zip(students, report_names(students), strict=True):
        saved = reports[student]
        if saved is not None:
            write_atomic(merged_reports / f"{name}.json", saved)
    return len(rows)
