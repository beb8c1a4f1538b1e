# SchoolSafe: `make demo` and `make test` work on a fresh clone with Python 3.11+ and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Parallel test workers (pytest-xdist): one per core.
TEST_WORKERS ?= auto
# Not --quiet: the first install takes minutes, and pip's "Collecting ..." lines show that it is working.
PIP    := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on

.PHONY: demo test lint audit bench clean help

help:
	@echo "make demo [PORT=8000]   start the demo (embedded SQLite, demo data, server and worker)"
	@echo "make test               run the test suite (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint               ruff, migrations check, bandit, import contracts, mypy"
	@echo "make audit              audit the pinned dependencies for known vulnerabilities (pip-audit --strict)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "SchoolSafe needs Python 3.11 or newer"' 
	@echo "make: creating the virtual environment $(VENV) ..."
	$(PYTHON) -m venv $(VENV)

# The stamps make a second `make demo` skip installing (it must start in seconds).
$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	@echo "make: installing SchoolSafe and its dependencies into $(VENV) (first time only, a few minutes) ..."
	$(PIP) -e .
	@echo "make: installed."
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	@echo "make: installing SchoolSafe with its test and lint tools into $(VENV) (first time only, a few minutes) ..."
	$(PIP) -e '.[dev]'
	@echo "make: installed."
	@touch $@ $(VENV)/.run-installed

demo: $(VENV)/.run-installed
	@echo "make: starting the demo (the first start builds the demo database) ..."
	$(BIN)/schoolsafe demo --port $(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/schoolsafe manage makemigrations --check --dry-run
	$(BIN)/bandit -q -r src -c pyproject.toml --severity-level high
	$(BIN)/lint-imports
	$(BIN)/mypy

# Audits exactly the versions installed in the venv. Our own (editable) package is left out: it is not on
# PyPI, and --strict would count it as unauditable. --strict: a package that cannot be checked (the
# vulnerability service unreachable, an unknown package) fails the audit instead of passing unchecked.
audit: $(VENV)/.dev-installed
	$(PIP) -e '.[audit]'
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check > $(VENV)/audit-requirements.txt
	@$(BIN)/pip-audit --strict --progress-spinner off --no-deps --disable-pip -r $(VENV)/audit-requirements.txt \
	  || { echo "make audit: FAILED: a vulnerability was found or a package could not be audited (see above)." \
	       "'not found on PyPI' for a public package means the vulnerability service (PyPI's JSON API) was not reached." >&2; exit 1; }

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/import_schools.py
	$(BIN)/schoolsafe bench fanout

clean:
	rm -rf $(VENV) var
