"""Reports drawn from results: the learner's HTML page with its pictures (``html_report``), the instructor's class page
(``class_report``), the similarity of a class's submissions (``similarity``), and what every gradebook of a class
shares (``gradebook``: a submitter, a report's file name, a spreadsheet-safe cell), so that the channels that write
one (batch, lms, shards, export) need not import each other. They may import grading's results, the course and the
messages; never a channel.
"""
