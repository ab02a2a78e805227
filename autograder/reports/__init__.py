"""Reports drawn from results: the learner's HTML page with its pictures (``html_report``), the instructor's class page
(``class_report``), the similarity of a class's submissions (``similarity``), a graded class as the batch grades it and
reads it back (``classrun``: its submissions as dataclasses, its gradebook rows and report files), the LMS's gradebooks
(``lms``, its rosters in ``lms_rosters``), and what every gradebook shares (``gradebook``: a report's file name, a
spreadsheet-safe cell), so that the channels that write one (batch, shards, export) need not import each other. They
may import grading, the course and the messages; never a channel.
"""
