"""Grading one submission: stage its files (``submission``, ``source_encoding``, ``source_syntax``), run the collected
checks against it in the sandbox (``runner``), explain a learner's error (``explain``), blame the function that is
wrong once (``blame``), and hold the outcome as small dataclasses (``results``). It may import the course, the
checking API, the sandbox and the messages; never a channel, a report or a builder.
"""
