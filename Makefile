# Two commands do all the set-up on a fresh machine (see README):
#   make serve   build and serve the example knowledge base on http://127.0.0.1:8000
#   make test    install what the tests need (Python packages, Debian's chromium) and run them
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: serve build test lint bench install browser clean

$(BIN)/mkdocs: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(BIN)/mkdocs

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: install
	$(BIN)/mkdocs build --strict

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; }
	@dpkg -s fonts-noto-cjk >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-noto-cjk; }

# Lint and format first (config in pyproject.toml), then the tests (the import contract is one of them).
lint: install
	$(BIN)/ruff check sop_plugin tests bench
	$(BIN)/ruff format --check sop_plugin tests bench

# pytest-xdist: one worker per core; --dist loadfile keeps a test file (and its module-scoped sites) on one
# worker, and the example site is built once per run for all workers (tests/conftest.py: built_once).
# --no-loadscope-reorder: files go out in the order tests/conftest.py sorts them (most browser tests
# first), not by their number of tests (28 quick model tests would start before the 40-second quiz file).
test: install browser lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile --no-loadscope-reorder

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) site bench/out
