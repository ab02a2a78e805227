"""What the instructor builds: the student release and the Gradescope bundle (``bundles``) and the nbgrader course
(``notebooks``). A builder reads the course and the messages and copies the package; it may not import a channel or
grading's runner.
"""
