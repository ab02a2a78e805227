import os
import sys

from autograder.cli import main

code = main()
sys.stdout.flush()
sys.stderr.flush()
# Everything is written and every child process is gone by now. Skipping the
# interpreter's teardown saves about half a second (unloading torch is slow).
os._exit(code)
