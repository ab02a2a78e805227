"""Reports drawn from results: the learner's HTML page with its pictures (``html_report``), the instructor's class page
(``class_report``) and the similarity of a class's submissions (``similarity``). They read
:mod:`autograder.grading.results` and the course; they may not import a channel.
"""
