# `make test` is what CI runs: install, lint, generated-code drift, pytest.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: install vendor spec-diff generate check-generated lint test demo bench soak clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,cli]'
	touch $@

# The vendor's spec: SPEC=<OpenAPI document, file or https URL> or PAGES=<folder of documentation pages>.
SPEC_SOURCE = $(if $(SPEC),--spec '$(SPEC)') $(if $(PAGES),--pages '$(PAGES)')

vendor: install  ## openapi/upstream/ from SPEC=... (or PAGES=...); prints the change report
	$(PY) codegen/vendor_upstream.py $(SPEC_SOURCE)

spec-diff: install  ## the change report alone: what SPEC=... (or PAGES=...) changes, and what it breaks
	$(PY) codegen/spec_diff.py $(SPEC_SOURCE)

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
