# convtutor: the two commands a new user needs.
#   make lab    set everything up, then open the suite in JupyterLab (127.0.0.1, token on)
#   make test   set everything up, then run the whole test suite
# Everything lives in .venv inside the clone; nothing is installed system-wide
# except Debian's chromium for the browser tests (only when run as root).
#
#   make test-fast  the unit, widget and Node tests only (no browser, no notebook, no
#                   lint): under a minute on two cores, for a change to code or docs.
#   make test-min   the unit tests on the OLDEST versions pyproject.toml allows, in a
#                   separate environment (build/venv-min); CI runs it after make test.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# test-min: its own environment, made afresh each time, with every direct dependency at
# its floor (scripts/min_requirements.py). Binary wheels only, so an old release is never
# compiled. torch is the exception: constraints.txt's CPU build, the one this machine has
# on disk (PyPI's Linux wheels of older torch releases are multi-GB CUDA builds).
MIN_VENV := build/venv-min
MIN_PY   := $(MIN_VENV)/bin/python
# The unit tests: everything except the browser tests, the tests that execute notebooks
# and the lint test (whose tools are left out of the floor environment).
UNIT_TESTS := tests -m "not browser and not notebook" --ignore=tests/browser \
	--ignore=tests/test_notebooks.py --ignore=tests/test_static_html.py \
	--ignore=tests/test_lint.py

.PHONY: lab test test-fast test-min setup browser bench html notebooks lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (convtutor)" >/dev/null
	$(PY) scripts/lab_settings.py
	touch $(STAMP)

setup: $(STAMP)

browser:
	bash scripts/install_browser.sh

lab: setup
	$(PY) scripts/open_lab.py

# -n auto: one test worker per core; loadgroup keeps the tests of one JupyterLab (and of
# the static edition) on one worker (tests/conftest.py).
test: setup browser
	$(PY) -m pytest -n auto --dist loadgroup

# The unit tests (UNIT_TESTS, as test-min runs them) shared among the cores; the groups
# of tests/conftest.py keep each module fixture on one worker.
test-fast: setup
	$(PY) -m pytest -n auto --dist loadgroup $(UNIT_TESTS)

test-min:
	rm -rf $(MIN_VENV)
	mkdir -p build
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_PY) -m pip install --quiet --upgrade pip
	$(MIN_PY) scripts/min_requirements.py --extra test > build/min-requirements.txt
	$(MIN_PY) -m pip install --quiet --only-binary=:all: -r build/min-requirements.txt
	$(MIN_PY) -m pip install --quiet --no-deps -e .
	$(MIN_PY) -m pip list --format=freeze > build/min-installed.txt
	$(MIN_PY) -m pytest -p no:cacheprovider -n auto $(UNIT_TESTS)

bench: setup
	$(PY) -m pip install --quiet -c constraints.txt -e ".[test,bench]"
	$(PY) benchmarks/run.py

html: setup
	$(PY) scripts/build_html.py

# The lessons' .ipynb files, rebuilt from their text sources (notebooks/NN_topic.md).
notebooks: setup
	$(PY) scripts/sync_notebooks.py

lint: setup
	$(VENV)/bin/ruff check convtutor tests benchmarks scripts
	$(VENV)/bin/ruff format --check convtutor tests benchmarks scripts

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
