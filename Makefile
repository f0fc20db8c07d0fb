# The two Quick start targets (`make template`, `make test`) work on a fresh
# machine: they build .venv when it is missing or setup.cfg changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: template test lint format clean local bench

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## The main job: synthesize template.json and lint it (informational rules included).
template: $(STAMP)
	$(BIN)/python -m userapi_stack --output template.json
	$(BIN)/cfn-lint --include-checks I -- template.json
	@echo "template.json written and lint-clean"

## Every test: style, then the pytest suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

local: $(STAMP)
	$(BIN)/python scripts/local_api.py

clean:
	rm -rf $(VENV) template.json *.egg-info .pytest_cache .ruff_cache .hypothesis
