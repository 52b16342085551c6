# convtutor: the two commands a new user needs.
#   make lab    set everything up, then open the suite in JupyterLab (127.0.0.1, token on)
#   make test   set everything up, then run the whole test suite
# Everything lives in .venv inside the clone; nothing is installed system-wide
# except Debian's chromium for the browser tests (only when run as root).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test setup browser bench html lint clean

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

test: setup browser
	$(PY) -m pytest

bench: setup
	$(PY) benchmarks/run.py

html: setup
	$(PY) scripts/build_html.py

lint: setup
	$(VENV)/bin/ruff check convtutor tests benchmarks scripts
	$(VENV)/bin/ruff format --check convtutor tests benchmarks scripts

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
