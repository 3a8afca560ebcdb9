# The commands the README names. Each sets up .venv on first use (pinned
# versions from requirements/constraints.txt) and reuses it afterwards.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# Re-install only when the package metadata or the pins change.
STAMP  := $(VENV)/.xentlab-installed
BOOK_BUILD := $(BIN)/jupyter-book build . --builder html

.PHONY: help setup book pdf test test-fast test-pdf check lint format typecheck bench lab notebooks lock clean

help:
	@echo "make book       build the HTML book into _build/html"
	@echo "make pdf        the whole book as one PDF, _build/pdf/xentlab.pdf (needs Chromium)"
	@echo "make test       unit, property, doc and notebook tests, strict book build, browser test"
	@echo "make test-fast  library tests and doctests only (seconds)"
	@echo "make test-pdf   build the PDF and check it (every chapter, solutions, CJK glossary terms)"
	@echo "make check      lint, format check and type check (the first step of make test)"
	@echo "make lint       ruff check over xentlab/, tests/, benchmarks/ and tools/"
	@echo "make format     ruff format: rewrite xentlab/, tests/, benchmarks/ and tools/ in place"
	@echo "make typecheck  mypy over xentlab/ (settings in pyproject.toml)"
	@echo "make notebooks  re-execute every notebook in place (authors, before committing)"
	@echo "make lab        open JupyterLab on book/ with the project's kernel"
	@echo "make bench      speed and memory benchmarks against the alternatives"
	@echo "make lock       refresh requirements/constraints.txt from pyproject.toml"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=23"
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[book,test,lab,dev]"
	@# Matplotlib builds its font cache on first import and says so on stderr;
	@# do it now, so that no notebook's first figure cell prints to stderr.
	$(PY) -c "import matplotlib.pyplot"
	@touch $@

book: $(STAMP)
	$(BOOK_BUILD)
	@echo "The book is at file://$(CURDIR)/_build/html/index.html"

# The whole book as one PDF: the one-page (singlehtml) build, printed by the
# system's Chromium once MathJax has typeset it, with every solution shown (see
# tools/build_pdf.py). Also copied to _build/html/_static/ when the HTML book
# exists, where each page's download menu links it. About a minute.
PDF := _build/pdf/xentlab.pdf
pdf: $(STAMP)
	$(BIN)/jupyter-book build . --builder singlehtml --path-output _build/pdf-source -W -n --keep-going
	$(PY) tools/build_pdf.py _build/pdf-source/_build/singlehtml $(PDF) --copy-to _build/html
	@echo "The PDF is at $(CURDIR)/$(PDF)"

# Lint, format and type checks first (seconds; see `check`), then a strict build
# (a warning or a broken reference fails), then every test:
# xentlab's unit/property/doctests, nbval over book/*.ipynb, the notebook hygiene
# checks and the tests of the built HTML (including the headless-browser one).
# Two pytest workers on single-threaded BLAS: the small matrix products of the
# training chapters run several times slower when two workers' thread pools fight
# over two cores. --dist loadfile keeps each notebook's cells on one kernel.
test: $(STAMP) check
	$(BOOK_BUILD) -W -n --keep-going
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	    $(PY) -m pytest -n 2 --dist loadfile --durations=15

test-fast: $(STAMP)
	$(PY) -m pytest xentlab tests -m "not book and not browser and not slow" -q

# Not part of `make test` (printing the book takes about a minute): builds the
# PDF, then tests/test_pdf.py, which default pytest runs skip.
test-pdf: pdf
	XENTLAB_TEST_PDF=1 $(PY) -m pytest -p no:xdist tests/test_pdf.py -q

notebooks: $(STAMP)
	$(BIN)/jupyter execute --inplace --kernel_name=python3 book/*.ipynb

# JupyterLab on book/ with the kernel the book's outputs come from: JUPYTER_PATH
# puts .venv's "python3" kernelspec (which runs .venv/bin/python) ahead of any
# user-wide kernelspec of the same name. LAB_PORT=9999 or LAB_ARGS=--no-browser
# to change how it starts; Ctrl-C stops it.
LAB_PORT ?= 8888
LAB_ARGS ?=
# Jupyter refuses to run as root without --allow-root; root is the only user in
# many containers, so say it for them.
LAB_AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(STAMP)
	@echo "JupyterLab on book/ with the .venv python3 kernel ($(CURDIR)/$(PY))."
	@echo "Open the URL with the token that it prints below (http://127.0.0.1:$(LAB_PORT)/lab?token=...,"
	@echo "or the next free port). To reproduce a chapter's numbers: Kernel > Restart Kernel and Run All Cells."
	JUPYTER_PATH="$(CURDIR)/$(VENV)/share/jupyter" $(BIN)/jupyter lab \
	    --ServerApp.root_dir=book --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) $(LAB_AS_ROOT) $(LAB_ARGS)

bench: $(STAMP)
	$(PY) -m benchmarks.run

# The code that ruff checks and formats; mypy checks the package (see [tool.mypy]).
CODE := xentlab tests benchmarks tools

check: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy xentlab

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)

format: $(STAMP)
	$(BIN)/ruff format $(CODE)

typecheck: $(STAMP)
	$(BIN)/mypy xentlab

# Resolve the newest versions that pyproject.toml allows, for every supported
# Python, and write them out as exact pins (see requirements/lock.py).
lock:
	$(PYTHON) requirements/lock.py
	@echo "Now run 'make notebooks test' to refresh the stored outputs, and commit both."

clean:
	rm -rf _build .pytest_cache .hypothesis .ruff_cache .mypy_cache build dist
