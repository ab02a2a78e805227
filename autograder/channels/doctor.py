"""``python -m autograder doctor``: the pre-flight check of :mod:`autograder.grading.preflight`, before a class
is graded (what the sandbox gets on this machine, and whether a channel would refuse to grade here)."""

from __future__ import annotations

import argparse

from autograder.grading.preflight import check


def run(args: argparse.Namespace) -> int:
    return check(args.channel, args.submissions, args.allow_weak_sandbox)
