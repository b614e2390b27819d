# fargate-ops: set-up, demo and the quality gate.
#
#   make demo    set up (once), then run the offline demo
#   make test    set up (once), then the whole gate: lint typecheck template asl checkov smoke pytest
#   make help    every target
#
# Set-up is `make venv`: .venv from the machine's python3 (3.11+) with `pip install -e '.[dev]'`,
# redone when pyproject.toml changes, and node_modules/ from package-lock.json (asl-validator).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
# The gate's steps share two cores with each other and with pytest's workers: one at a time.
.NOTPARALLEL:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
TEMPLATE := template.yaml
PYTEST_WORKERS ?= 2
GATE := lint typecheck template asl checkov smoke pytest

# pyenv: `python3` stays 3.11 (the dev venv) and `python3.13` (the Lambda runtime, for the smoke
# test) becomes visible next to it. Harmless where pyenv is not used.
export PYENV_VERSION ?= 3.11.7:3.13.0
# The gate talks to nothing: no telemetry, no update checks, no instance-metadata credential lookups.
export SAM_CLI_TELEMETRY := 0
export CKV_SKIP_PACKAGE_UPDATE_CHECK := true
export AWS_EC2_METADATA_DISABLED := true

# Python code that ruff lints and formats (the folders that exist).
PY_DIRS = $(wildcard layers functions src tests scripts lint)
# What mypy checks: the layer strictly, every handler as functions.<name>.app, the operator side
# (its overrides are in pyproject.toml), and the gate's own code.
# (Paths, not -p: mypy takes one or the other; mypy_path maps them to fargate_ops.* and fargate_ops_cli.*.)
MYPY_TARGETS = layers/fargate_ops/fargate_ops src/fargate_ops_cli $(wildcard functions/*/*.py) \
	lint scripts/smoke_package.py $(wildcard tests/template tests/packaging)

.PHONY: help venv demo test $(GATE) bench clean distclean

help:
	@echo "make demo       run the offline demo (sets up .venv and node_modules first)"
	@echo "make test       the whole gate, in order: $(GATE)"
	@echo "make venv       create/refresh .venv (python3 -m venv, pip install -e '.[dev]') and node_modules (npm ci)"
	@echo "make lint       ruff check + ruff format --check on $(PY_DIRS)"
	@echo "make typecheck  mypy (strict; see [tool.mypy] in pyproject.toml)"
	@echo "make template   sam validate (+ --lint) and cfn-lint with the custom rules in lint/rules"
	@echo "make asl        asl-validator on every statemachines/*.asl.json"
	@echo "make checkov    checkov on $(TEMPLATE), failing on any finding"
	@echo "make smoke      import every handler as Lambda would (python3.13, layer + runtime only)"
	@echo "make pytest     pytest -n $(PYTEST_WORKERS)"
	@echo "make bench      scripts/bench.py"
	@echo "make clean      build output and caches; make distclean also removes .venv and node_modules"

# --- set-up --------------------------------------------------------------------------------------

venv: $(VENV_STAMP) $(NODE_STAMP)

$(VENV_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "make venv: $(PYTHON) is " + sys.version.split()[0] + "; fargate-ops needs Python 3.11 or newer")'
	@if [ ! -x $(BIN)/python ]; then echo "==> creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); fi
	@echo "==> pip install -e '.[dev]' (a few minutes the first time)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --progress-bar off -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make venv: npm is needed for asl-validator (install Node.js 18+)"; exit 1; }
	@echo "==> npm ci (asl-validator)"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# --- use -----------------------------------------------------------------------------------------

demo: venv
	$(BIN)/fargate-ops demo

bench: venv
	@[ -f scripts/bench.py ] || { echo "make bench: scripts/bench.py does not exist yet"; exit 1; }
	$(BIN)/python scripts/bench.py
	$(BIN)/python scripts/bench_events.py
	$(BIN)/python scripts/bench_cleanup.py
	$(BIN)/python scripts/bench_scaling.py

# --- the gate ------------------------------------------------------------------------------------

# Runs every step even after one fails, so one run shows everything to fix; fails if any failed.
test: venv
	@failed=(); summary=(); start=$$SECONDS; \
	for step in $(GATE); do \
		echo; echo "==> make $$step"; t0=$$SECONDS; \
		if $(MAKE) --no-print-directory $$step; then result=ok; else result=FAILED; failed+=("$$step"); fi; \
		summary+=("$$(printf '  %-10s %-7s %4d s' "$$step" "$$result" $$((SECONDS - t0)))"); \
	done; \
	echo; echo "==> gate summary ($$((SECONDS - start)) s)"; printf '%s\n' "$${summary[@]}"; \
	echo "gate: $$(( $(words $(GATE)) - $${#failed[@]} )) passed, $${#failed[@]} failed"; \
	[ $${#failed[@]} -eq 0 ] || { echo "make test: failed: $${failed[*]}"; exit 1; }

lint: venv
	@rc=0; \
	$(BIN)/ruff check $(PY_DIRS) || rc=1; \
	$(BIN)/ruff format --check $(PY_DIRS) || { rc=1; echo "make lint: run '$(BIN)/ruff format $(PY_DIRS)' to fix"; }; \
	exit $$rc

typecheck: venv
	$(BIN)/mypy $(MYPY_TARGETS)

template: venv require-template
	AWS_DEFAULT_REGION=us-east-1 $(BIN)/sam validate -t $(TEMPLATE)
	AWS_DEFAULT_REGION=us-east-1 $(BIN)/sam validate --lint -t $(TEMPLATE)
	$(BIN)/cfn-lint --append-rules lint/rules -- $(TEMPLATE)

# asl-validator 4.0.0 accepts JSONata states and a Resource that is a whole "${Substitution}",
# and validates `{% ... %}` expressions with the jsonata parser. Its --no-arn-check and
# --no-path-check flags are no-ops in 4.0.0 (the CLI reads the wrong option names), so none are passed.
asl: venv
	@shopt -s nullglob; files=(statemachines/*.asl.json); \
	[ $${#files[@]} -gt 0 ] || { echo "make asl: no statemachines/*.asl.json to validate"; exit 1; }; \
	args=(); for f in "$${files[@]}"; do args+=(--json-path "$$f"); done; \
	node_modules/.bin/asl-validator "$${args[@]}"

# Fails on any finding. A check that does not apply is skipped in the resource's
# Metadata.checkov.skip with a comment saying why (tests/template enforces the comment).
checkov: venv require-template
	$(BIN)/checkov -f $(TEMPLATE) --framework cloudformation --skip-download --quiet --compact

smoke: venv
	$(BIN)/python scripts/smoke_package.py

# pytest exits 5 when it collects no test: say so rather than fail with a bare status.
pytest: venv
	@rc=0; $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make pytest: pytest collected no tests (exit 5)"; fi; \
	exit $$rc

require-template:
	@[ -f $(TEMPLATE) ] || { echo "make: $(TEMPLATE) is missing (the application's SAM template)"; exit 1; }

.PHONY: require-template

# --- cleaning ------------------------------------------------------------------------------------

clean:
	rm -rf .aws-sam build dist .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis htmlcov .coverage
	rm -rf *.egg-info
	find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
