#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
cd /autograder/source
apt-get update -qq
# The kit needs Python >= 3.11 (Ubuntu 22.04 images carry it as python3.11).
apt-get install -y -qq python3.11 python3.11-venv > /dev/null 2>&1 || apt-get install -y -qq python3 python3-venv > /dev/null
PY=$(command -v python3.11 || command -v python3)
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "setup.sh: this image has $("$PY" -V 2>&1), and backprop-kit needs Python 3.11. On Gradescope's" \
         "Configure Autograder page choose Base Image OS Ubuntu, Base Image Version 22.04, Base Image Variant" \
         "Base, then Update Autograder." >&2
    exit 1
}
"$PY" -m venv /autograder/venv
# The CPU build of torch (the default one pulls several GB of CUDA libraries).
/autograder/venv/bin/pip install --quiet --extra-index-url https://download.pytorch.org/whl/cpu \
    -c constraints.txt -r requirements.txt
# Only root may read the grader, the solutions and the hidden checks; the
# submission runs as the unprivileged user "nobody".
chmod -R go-rwx /autograder/source
# Pre-flight: the sandbox level this image gives, why, and what to do. A level that run_autograder would
# refuse fails the build here (the log says why) instead of giving every student 0 at the first submission.
/autograder/venv/bin/python -m autograder doctor --channel gradescope \
    $( [ "${AUTOGRADER_ALLOW_WEAK_SANDBOX:-}" = 1 ] && echo --allow-weak-sandbox )
