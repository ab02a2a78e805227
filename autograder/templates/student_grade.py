"""@TITLE@

@HELP@
"""

import os
import sys

if sys.version_info < (3, 11):  # noqa: UP036 - run by any Python, to say which one is needed
    sys.exit(
        "Python 3.11 or newer is needed (this is Python %d.%d): https://www.python.org/downloads/\n"  # noqa: UP031 - any Python reads %
        "需要 Python 3.11 或更新的版本（这是 Python %d.%d）：https://www.python.org/downloads/"
        % (sys.version_info[:2] * 2)
    )
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from autograder.channels.launch import main  # noqa: E402 - after the version check (standard library only)

DEFAULT_LANG = None  # the release's language: the build writes it here
code = main(default_lang=DEFAULT_LANG)
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)  # (skips unloading torch, half a second)
