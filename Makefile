# The commands the README names. Each sets up .venv on first use (pinned
# versions from requirements/constraints.txt) and reuses it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Re-install only when the package metadata or the pins change.
STAMP  := $(VENV)/.xentlab-installed
BOOK_BUILD := $(BIN)/jupyter-book build . --builder html

.PHONY: help setup book test test-fast bench lab notebooks lint lock clean

help:
	@echo "make book       build the HTML book into _build/html"
	@echo "make test       unit, property, doc and notebook tests, strict book build, browser test"
	@echo "make test-fast  library tests and doctests only (seconds)"
	@echo "make notebooks  re-execute every notebook in place (authors, before committing)"
	@echo "make lab        open JupyterLab on book/ with the project's kernel"
	@echo "make bench      speed and memory benchmarks against the alternatives"
	@echo "make lock       refresh requirements/constraints.txt from pyproject.toml"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23"
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[book,test,lab,dev]"
	@touch $@

book: $(STAMP)
	$(BOOK_BUILD)
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

# A strict build first (a warning or a broken reference fails), then every test:
# xentlab's unit/property/doctests, nbval over book/*.ipynb, the notebook hygiene
# checks and the tests of the built HTML (including the headless-browser one).
test: $(STAMP)
	$(BOOK_BUILD) -W -n --keep-going
	$(PY) -m pytest -n 2 --dist loadfile

test-fast: $(STAMP)
	$(PY) -m pytest xentlab tests -p no:nbval -m "not book and not browser" -q

notebooks: $(STAMP)
	$(BIN)/jupyter execute --inplace --kernel_name=python3 book/*.ipynb

lab: $(STAMP)
	$(BIN)/jupyter lab book/

bench: $(STAMP)
	$(PY) benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check xentlab tests benchmarks

# Resolve the newest versions that pyproject.toml allows in a scratch venv and
# write them out as exact pins.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".[book,test,lab,dev]"
	.lock-venv/bin/python -m pip freeze --exclude-editable --exclude xentlab > requirements/constraints.txt
	rm -rf .lock-venv
	@echo "Pins written to requirements/constraints.txt; run 'make notebooks test' to refresh the stored outputs."

clean:
	rm -rf _build .pytest_cache .hypothesis
