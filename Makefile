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
#   make test-py    the unit tests on Python 3.10, 3.12 and 3.13 (make test runs 3.11),
#                   one environment each (build/venv-py3.X); CI runs it after make test.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# PyTorch's CPU build. On Linux, PyPI's torch wheels are CUDA builds that bring gigabytes
# of NVIDIA libraries. Set-up installs torch on its own first, from PyTorch's CPU wheel
# index ONLY (--index-url, as pytorch.org says), asking for constraints.txt's version with
# the local label "+cpu", which only that index carries: pip cannot settle for PyPI's CUDA
# wheel, even where pip.conf adds PyPI as an extra index (an unreachable index, or one
# without a wheel for this machine, stops set-up with pip's error). Then the package and
# its extras: pip keeps that torch, since it satisfies constraints.txt.
# Empty it (`make setup TORCH_INDEX=`) to install constraints.txt's torch from your usual
# indexes: macOS and Windows (PyPI's wheels are CPU builds there), or CI here (.ci/run),
# whose machines keep the CPU wheel on disk. docs/dependencies.md says more.
ifeq ($(shell uname -s),Linux)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
else
TORCH_INDEX ?=
endif
TORCH_VERSION := $(shell sed -n 's/^torch==\([^ #]*\).*/\1/p' constraints.txt)
ifneq ($(strip $(TORCH_INDEX)),)
TORCH_PIP := "torch==$(TORCH_VERSION)+cpu" --index-url $(strip $(TORCH_INDEX))
else
TORCH_PIP := "torch==$(TORCH_VERSION)"
endif

# test-min: its own environment, made afresh each time, with every direct dependency at
# its floor (scripts/min_requirements.py). Binary wheels only, so an old release is never
# compiled. torch is the exception: constraints.txt's CPU build, the one this machine has
# on disk (PyPI's Linux wheels of older torch releases are multi-GB CUDA builds).
MIN_VENV := build/venv-min
MIN_PY   := $(MIN_VENV)/bin/python
# The unit tests: everything except the browser tests, the tests that execute notebooks,
# the lint test (whose tools are left out of the floor environment) and the wheel test
# (tests/test_wheel.py: it builds and installs the package; make test runs it).
UNIT_IGNORED := --ignore=tests/browser --ignore=tests/test_notebooks.py \
	--ignore=tests/test_static_html.py --ignore=tests/test_lint.py --ignore=tests/test_wheel.py
UNIT_TESTS := tests -m "not browser and not notebook and not package" $(UNIT_IGNORED)
# test-fast: the unit tests but those that check a widget on every setting of its
# controls (marked grid; make test, test-min and test-py run them).
FAST_TESTS := tests -m "not browser and not notebook and not package and not grid" $(UNIT_IGNORED)

# test-py: the unit tests on the other Pythons, each in its own environment from PyPI
# with the package and its test extra, but not torch (only 3.11 has a CPU wheel here:
# the tests that need torch skip, saying so). A Python is python3.X from pyenv
# (`pyenv prefix 3.X`) or else from the PATH. TEST_PY_WORKERS: pytest -n (CI: auto).
TEST_PYTHONS    ?= 3.10 3.12 3.13
TEST_PY_WORKERS ?= auto

.PHONY: lab test test-fast test-min test-py setup browser bench html notebooks lint clean

# torch first, on its own (TORCH_PIP above), then the package with what the lessons and
# the tests need.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt $(TORCH_PIP)
	$(PY) -m pip install --quiet -c constraints.txt -e ".[lessons,test]"
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

# The unit tests (UNIT_TESTS, as test-min runs them) but the grid ones, shared among the
# cores; the groups of tests/conftest.py keep each module fixture on one worker.
test-fast: setup
	$(PY) -m pytest -n auto --dist loadgroup $(FAST_TESTS)

test-min:
	rm -rf $(MIN_VENV)
	mkdir -p build
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_PY) -m pip install --quiet --upgrade pip
	$(MIN_PY) -m pip install --quiet -c constraints.txt $(TORCH_PIP)
	$(MIN_PY) scripts/min_requirements.py --extra lessons --extra test > build/min-requirements.txt
	$(MIN_PY) -m pip install --quiet --only-binary=:all: -r build/min-requirements.txt
	$(MIN_PY) -m pip install --quiet --no-deps -e .
	$(MIN_PY) -m pip list --format=freeze > build/min-installed.txt
	$(MIN_PY) -m pytest -p no:cacheprovider -n auto $(UNIT_TESTS)

build/venv-py%/.installed: pyproject.toml
	rm -rf build/venv-py$*
	mkdir -p build
	py="$$(pyenv prefix $* 2>/dev/null)/bin/python$*"; [ -x "$$py" ] || py=python$*; \
	"$$py" -m venv build/venv-py$*
	build/venv-py$*/bin/python -m pip install --quiet --upgrade pip
	build/venv-py$*/bin/python -m pip install --quiet -e ".[test]"
	touch $@

# Every Python runs, even after one fails; then the list of those that failed.
test-py: $(foreach v,$(TEST_PYTHONS),build/venv-py$(v)/.installed)
	@failed=""; for v in $(TEST_PYTHONS); do \
	  echo "== the unit tests on Python $$v (build/venv-py$$v)"; \
	  build/venv-py$$v/bin/python -m pytest -p no:cacheprovider -q -n $(TEST_PY_WORKERS) \
	    $(UNIT_TESTS) || failed="$$failed $$v"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test-py: the unit tests failed on Python$$failed"; exit 1; fi

bench: setup
	$(PY) -m pip install --quiet -c constraints.txt -e ".[lessons,test,bench]"
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
