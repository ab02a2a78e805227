"""Grading one submission: stage its files (``submission``, ``source_encoding``, ``source_syntax``), run the collected
checks against it in the sandbox (``runner``, the course's sandbox from ``sandboxes``), explain a learner's error
(``explain``), blame the function that is wrong once (``blame``), and hold the outcome as small dataclasses
(``results``); what several channels grade from: a class's folder of submissions (``class_folder``), a notebook's
cells (``notebook_cells``), and the pre-flight check of this machine's sandbox (``preflight``). It may import the
course, the checking folder (its API and its modules), the sandbox and the messages; never a channel, a report or a
builder.
"""
