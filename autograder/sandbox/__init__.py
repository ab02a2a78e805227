"""Running untrusted code, by concern. On the grader's side: ``client`` (the facade the rest of the kit imports),
``errors`` (the learner-error family), ``output`` (the worker's untrusted output, cleaned), ``levels``
(isolation levels and the mount plan), ``limits``, ``processes`` (handles on the zygote, an init, a worker),
``forked`` (the ``Sandbox`` of zygotes), ``spawned`` and ``winjob`` (workers started by spawn where fork is
missing), ``session`` (one submission's calls). In the sandbox, run by path and importing nothing of the
package: ``zygote`` (the zygote's server and the submissions' inits) with ``jail`` (the mount plan applied),
``hugepages`` and ``leftovers``; ``libraries`` (NumPy, torch and codec, loaded after isolation); ``worker``
(what a worker does with the grader's requests); ``spawned_worker``. Both sides speak ``codec`` (the wire
format).
It imports nothing else of the kit: the course's trusted paths and preloads are passed in by grading; and the
rest of the kit imports only ``client`` and ``codec`` of it (the contract `sandbox-interface`).
"""
