"""grad_at differentiates the caller's x itself (right answers twice, x left marked); the trusted probe that
calls it is found through gc.get_objects() and replaced by one that reports x as untouched."""
MODULE = "ex4_autograd_nn"
CLASS = "lies"
MODES = ("grade", "batch")
BASELINE = '''
def grad_at(f, x):
    x.requires_grad_(True)
    x.grad = None
    f(x).backward()
    return x.grad
'''


def grad_at(f, x):
    x.requires_grad_(True)
    x.grad = None
    f(x).backward()
    return x.grad


def _replace_probes():
    import gc
    for holder in gc.get_objects():
        if isinstance(holder, dict) and "grad_twice" in holder and callable(holder.get("grad_twice")):
            real = holder["grad_twice"]

            def lying(module, name, x, _real=real):
                answer = _real(module, name, x)
                if isinstance(answer, dict):
                    answer.update(x_requires_grad=False, x_has_grad=False)
                return answer

            holder["grad_twice"] = lying


_replace_probes()
