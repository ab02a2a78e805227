"""The check authors' API: everything a check file in ``autograder/checks/`` needs (``expect_*``, ``fail``,
``fmt``, memoised reference runs in ``memo``, the by-hand rules in ``byhand``, ``diagnose``'s guesses, the
``figures`` a check records). It may import :mod:`autograder.course`, :mod:`autograder.messages` and the
sandbox's wire types (:mod:`autograder.sandbox.codec`); never the grading machinery or a channel."""
