"""The files of a toy exercise 5 (tests/test_add_exercise.py adds them to a copy of the kit): not tests here."""

collect_ignore_glob = ["*"]
