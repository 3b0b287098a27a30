# `make test` is what CI runs: install, lint, generated-code drift, pytest.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Airflow (~145 distributions) lives in its own virtualenv, so the core dev environment stays lean.
AIRFLOW_VENV ?= .venv-airflow
AF_PY := $(AIRFLOW_VENV)/bin/python
# The lowest Airflow the [airflow] extra allows, in a virtualenv of its own.
AIRFLOW31_VENV ?= .venv-airflow-3.1
AF31_PY := $(AIRFLOW31_VENV)/bin/python
AIRFLOW_FILES := bigdata_connectors/airflow tests_airflow examples/airflow
# The demo installs what a user of the quickstart installs, the package and its [cli] extra, and no dev tools.
DEMO_VENV ?= .venv-demo

.PHONY: test-core install install-airflow install-airflow-3.1 test-airflow-3.1 test-airflow-3.3 bench-airflow airflow-constraints vendor spec-diff generate check-generated lint test test-airflow demo readme-test bench soak clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,cli]'
	touch $@

# Pinned by constraints/airflow.txt (Airflow's own constraints files are published only on GitHub).
install-airflow: $(AIRFLOW_VENV)/.installed $(AIRFLOW31_VENV)/.installed

$(AIRFLOW_VENV)/.installed: pyproject.toml constraints/airflow.txt
	@start=$$(date +%s); \
	$(PYTHON) -m venv $(AIRFLOW_VENV) && \
	$(AF_PY) -m pip install --quiet --upgrade pip && \
	$(AF_PY) -m pip install --quiet -c constraints/airflow.txt -e '.[airflow-dev]' && \
	echo "$(AIRFLOW_VENV): Airflow installed in $$(( $$(date +%s) - start )) s"
	touch $@

install-airflow-3.1: $(AIRFLOW31_VENV)/.installed

$(AIRFLOW31_VENV)/.installed: pyproject.toml constraints/airflow-3.1.txt
	@start=$$(date +%s); \
	$(PYTHON) -m venv $(AIRFLOW31_VENV) && \
	$(AF31_PY) -m pip install --quiet --upgrade pip && \
	$(AF31_PY) -m pip install --quiet -c constraints/airflow-3.1.txt -e '.[airflow-test]' 'apache-airflow==3.1.8' && \
	echo "$(AIRFLOW31_VENV): Airflow installed in $$(( $$(date +%s) - start )) s"
	touch $@

airflow-constraints:  ## re-resolve the Airflow pins from scratch into constraints/airflow.txt and constraints/airflow-3.1.txt
	rm -rf /tmp/bigdata-airflow-resolve && $(PYTHON) -m venv /tmp/bigdata-airflow-resolve
	/tmp/bigdata-airflow-resolve/bin/pip install --quiet -e '.[airflow-dev]'
	{ sed -n '1,3p' constraints/airflow.txt; /tmp/bigdata-airflow-resolve/bin/pip freeze --exclude-editable; } > constraints/airflow.new
	mv constraints/airflow.new constraints/airflow.txt
	rm -rf /tmp/bigdata-airflow-resolve && $(PYTHON) -m venv /tmp/bigdata-airflow-resolve
	/tmp/bigdata-airflow-resolve/bin/pip install --quiet -e '.[airflow-test]' 'apache-airflow==3.1.8'
	{ sed -n '1,3p' constraints/airflow-3.1.txt; /tmp/bigdata-airflow-resolve/bin/pip freeze --exclude-editable; } > constraints/airflow.new
	mv constraints/airflow.new constraints/airflow-3.1.txt

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
	$(VENV)/bin/lint-imports --no-cache  # the layers of DESIGN.md ([tool.importlinter] in pyproject.toml)

# The two Airflow virtualenvs install (mostly waiting on the network) while the core suite runs, and the two Airflow
# suites (mostly waiting on Airflow's own processes) run side by side: on two cores that halves their wall time.
test: install lint check-generated
	$(MAKE) --no-print-directory -j2 -O test-core install-airflow
	$(MAKE) --no-print-directory -j2 -O test-airflow

test-core: install
	$(PY) -m pytest -q

test-airflow: test-airflow-3.3 test-airflow-3.1  ## the Airflow adapter, type-checked and tested on the newest and the lowest Airflow

test-airflow-3.3: $(AIRFLOW_VENV)/.installed
	$(AIRFLOW_VENV)/bin/mypy --strict --cache-dir .mypy_cache/airflow $$(find $(wildcard $(AIRFLOW_FILES)) -name '*.py')
	$(AF_PY) -m pytest -q tests_airflow

test-airflow-3.1: $(AIRFLOW31_VENV)/.installed
	$(AF31_PY) -m pytest -q tests_airflow

bench-airflow: $(AIRFLOW_VENV)/.installed  ## 1,000 deferred syncs on a simulated triggerer loop (docs/benchmarks.md, Airflow)
	$(AF_PY) -m bench.airflow_deferred --syncs 1000 --compare

demo: $(DEMO_VENV)/.installed  ## the SDK quickstart: against the built-in emulator unless BIGDATA_API_KEY is set
	$(DEMO_VENV)/bin/python examples/quickstart.py

$(DEMO_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(DEMO_VENV)/bin/python -m pip install --quiet -e '.[cli]'
	touch $@

readme-test: install  ## the README's quickstart pasted into a clean virtualenv (also part of `make test`)
	$(PY) -m pytest -q tests/e2e/test_readme_quickstart.py

bench: install  ## every figure of docs/benchmarks.md in one run (about 10 minutes); copied there by hand, with the date
	$(PY) -m pip install --quiet -e '.[dev,bench,cli]'
	$(PY) -m bench.bench

soak: install
	$(PY) -m bench.soak

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) $(AIRFLOW31_VENV) $(DEMO_VENV) build *.egg-info
