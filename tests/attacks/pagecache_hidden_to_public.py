"""Exercise 1's code writes the `w` of every dloss call into the page cache of a library file both NumPy-only
sandboxes can read (pages evicted with posix_fadvise, then one page of each pair touched per bit); exercise 3's
first public check reads it back with preadv(RWF_NOWAIT) and shows it. When checks ran file by file, the last dloss
call before exercise 3's public checks was exercise 1's hidden one: now every public check runs first (and hidden
inputs are keyed by the grader's secret), so only a public input can come through."""
MODULE = "ex3_mlp_backprop"
CLASS = "pagecache"
MODES = ("grade", "batch")
LAYOUT = "page_cache_pair"
LAYOUT_REPLACES = False
OTHERS_INTACT = True
SHOWS = ":SEEN:"
LEAKS = ("HIDDEN_INPUTS",)
PAIR = ("ex1_manual_gradients", '''
def _atk_dloss(w, x, y, _orig=dloss):
    _atk_pc_write(float(w))
    return _orig(w, x, y)


dloss = _atk_dloss
''')
_ATK_PC = {}


def _atk_relu(z, _orig=relu, _state=_ATK_PC):
    if "seen" not in _state:  # the first call in exercise 3's worker: one read (it is destructive)
        _state["seen"] = _atk_pc_read()
        raise RuntimeError(f"{_ATTACK['marker']}:SEEN:{_state['seen']!r}:")
    return _orig(z)


relu = _atk_relu
