# Every target creates .venv and installs what it needs on first use.
# torch is pinned through constraints.txt (see the comment there).

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt
SUBMISSION ?= exercises
JSON ?=
GRADE_LANG ?=
TEST_JOBS ?= 2

.DEFAULT_GOAL := help
.PHONY: help grade report watch test lint stubs bench clean release gradescope nbgrader batch mutants mutants-args doctor

help:
	@echo "make grade                      grade exercises/ (or SUBMISSION=folder-or-zip)"
	@echo "make grade SUBMISSION=path      grade another submission (folder or .zip)"
	@echo "make grade GRADE_LANG=zh_CN     the report in Chinese (default: your locale, e.g. LANG=zh_CN.UTF-8)"
	@echo "make report                     grade exercises/ and write report.html, with pictures of your run"
	@echo "make watch                      regrade exercises/ every time you save a file (Ctrl-C to stop)"
	@echo "make test                       run the kit's own tests"
	@echo "make lint                       ruff (lint, format check), mypy and the import layering (make test runs them too)"
	@echo "make stubs                      regenerate exercises/ from solutions/ (FORCE=1 to overwrite edits)"
	@echo "make bench                      time grading against importing torch"
	@echo "make mutants                    mutation testing of the checks (MUTANTS_ARGS=\"--exercise ex1 ...\")"
	@echo "make mutants-args               only the mutants that freeze an argument or use its default"
	@echo "make release                    build dist/student{,-zh_CN}/ and .zip (no solutions; RELEASE_LANG=en|zh_CN for one)"
	@echo "make gradescope                 build dist/gradescope_autograder.zip"
	@echo "make nbgrader                   build an nbgrader course in dist/nbgrader/"
	@echo "make batch SUBMISSIONS=dir      grade a class into grades.csv (OUT=file.csv, JOBS=n, HTML=class.html,"
	@echo "                                LMS=canvas|moodle ROSTER=csv ASSIGNMENT=... ID_FIELD=... POINTS_POSSIBLE=n)"
	@echo "make doctor                     before grading a class: the sandbox level here, and what to do"
	@echo "                                (ALLOW_WEAK_SANDBOX=1 for batch and gradescope: see the README's threat model)"

$(VENV)/.core-installed: pyproject.toml constraints.txt
	@test -x $(PY) || { echo "Creating $(VENV) (first run only)..."; $(PYTHON) -m venv $(VENV); }
	@echo "Installing numpy, torch (CPU) and pytest into $(VENV) (first run only)..."
	$(PIP) -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.core-installed
	$(PIP) -e '.[dev]'
	@touch $@

grade: $(VENV)/.core-installed
	@$(PY) -m autograder grade "$(SUBMISSION)" $(if $(JSON),--json "$(JSON)") $(if $(GRADE_LANG),--lang "$(GRADE_LANG)")

$(VENV)/.report-installed: $(VENV)/.core-installed
	$(PIP) -e '.[report]'
	@touch $@

report: $(VENV)/.report-installed
	@$(PY) -m autograder grade "$(SUBMISSION)" --html "$(or $(HTML),report.html)" $(if $(GRADE_LANG),--lang "$(GRADE_LANG)")

watch: $(VENV)/.core-installed
	@$(PY) -m autograder watch "$(SUBMISSION)" $(if $(GRADE_LANG),--lang "$(GRADE_LANG)")

test: $(VENV)/.dev-installed
	$(PY) -m pytest -n $(TEST_JOBS) --dist loadfile

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check
	$(PY) -m ruff format --check
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

stubs: $(VENV)/.core-installed
	$(PY) -m autograder stubs $(if $(FORCE),--force)

bench: $(VENV)/.core-installed
	$(PY) scripts/bench.py

MUTANTS_ARGS ?=
mutants: $(VENV)/.dev-installed
	$(PY) scripts/mutants.py $(MUTANTS_ARGS)

mutants-args: $(VENV)/.dev-installed
	$(PY) scripts/mutants.py --kind arguments $(MUTANTS_ARGS)

release: $(VENV)/.core-installed
	$(PY) -m autograder build release $(if $(RELEASE_LANG),--lang $(RELEASE_LANG))

gradescope: $(VENV)/.core-installed
	$(PY) -m autograder build gradescope $(if $(ALLOW_WEAK_SANDBOX),--allow-weak-sandbox)

nbgrader: $(VENV)/.dev-installed
	$(PY) -m autograder build nbgrader

SUBMISSIONS ?=
OUT ?= grades.csv
JOBS ?=
LMS ?=
ROSTER ?=
ASSIGNMENT ?=
ID_FIELD ?=
POINTS_POSSIBLE ?=
# the class page needs matplotlib, Markdown and Babel (and copydetect for SIMILARITY=1): the [instructor] extra
$(VENV)/.instructor-installed: $(VENV)/.core-installed
	$(PIP) -e '.[instructor]'
	@touch $@

batch: $(VENV)/.core-installed $(if $(HTML),$(VENV)/.instructor-installed)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make batch SUBMISSIONS=folder-of-submissions [OUT=grades.csv] [JOBS=n] [HTML=class.html] [LMS=canvas|moodle ROSTER=... ASSIGNMENT=... ID_FIELD=... POINTS_POSSIBLE=N]"; exit 2; }
	$(PY) -m autograder batch "$(SUBMISSIONS)" --out "$(OUT)" $(if $(JOBS),-j $(JOBS)) $(if $(ALLOW_WEAK_SANDBOX),--allow-weak-sandbox) \
	    $(if $(HTML),--html "$(HTML)") $(if $(LMS),--lms $(LMS)) $(if $(ROSTER),--roster "$(ROSTER)") \
	    $(if $(ASSIGNMENT),--assignment "$(ASSIGNMENT)") $(if $(ID_FIELD),--id-field $(ID_FIELD)) \
	    $(if $(POINTS_POSSIBLE),--points-possible $(POINTS_POSSIBLE)) $(if $(SIMILARITY),--similarity) \
	    $(if $(GRADE_LANG),--lang "$(GRADE_LANG)")

doctor: $(VENV)/.core-installed
	$(PY) -m autograder doctor $(if $(SUBMISSIONS),--submissions "$(SUBMISSIONS)") $(if $(CHANNEL),--channel $(CHANNEL))

clean:
	rm -rf $(VENV) build dist *.egg-info
