"""The backprop-kit autograder: grade the exercises safely, explain what is wrong.

What the course holds (its exercises and their checks) is discovered from
files by :mod:`autograder.course.registry`; nothing else lists exercises.
"""

__version__ = "0.1.0"
