# `make test` is what CI runs: install, lint, generated-code drift, pytest.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install vendor generate check-generated lint test demo bench soak clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,cli]'
	touch $@

vendor: install  ## copy the vendor's YAML from ../shared/reference/api-docs into openapi/upstream/
	$(PY) codegen/vendor_upstream.py

generate: install  ## openapi/connectors.yaml and bigdata_connectors/_generated/ from upstream + patches
	$(PY) codegen/generate.py

check-generated: install
	$(PY) codegen/generate.py --check

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --exclude bigdata_connectors/_generated .
	$(VENV)/bin/mypy

test: install lint check-generated
	$(PY) -m pytest -q

demo: install
	$(PY) examples/quickstart.py

bench: install  ## every figure of docs/benchmarks.md in one run (about 10 minutes); copied there by hand, with the date
	$(PY) -m pip install --quiet -e '.[dev,bench,cli]'
	$(PY) -m bench.bench

soak: install
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) build *.egg-info
