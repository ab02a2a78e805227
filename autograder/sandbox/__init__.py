"""Running untrusted code: a forked zygote (``zygote``) with the learner's files in a jail (``jail``), spoken to
over a pipe in a small wire format (``codec``), with limits, leftovers cleaned (``leftovers``) and a spawned worker
where fork is missing (``spawned``, ``winjob``). The grading side talks to it through ``client`` (its
``Sandbox`` and ``Session``). It imports nothing else of the kit: the course's trusted paths and preloads are
passed in by grading.
"""
