# xinfang — everyday commands. `make run` to try it, `make test` before you push.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.xinfang-setup
PIP := $(BIN)/python -m pip --disable-pip-version-check

export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: setup run test test-fast lint docs constraints clean distclean

setup: $(STAMP)

# Redone only when the dependencies change (or the virtualenv is missing).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/xinfang run

test: setup
	$(BIN)/pytest -q

# The edit loop: everything but the slow and the browser tests (no dbt build of the demo),
# failed-first, stopping at the first failure. `make test` still runs everything.
test-fast: setup
	$(BIN)/pytest -q -x --ff -m "not slow and not browser"

# ruff over the Python; sqlfluff (.sqlfluff: dialect duckdb, jinja templater with dbt's
# builtins, no database needed) over the dbt models.
lint: setup
	$(BIN)/ruff check pipelines dashboards tests
	$(BIN)/sqlfluff lint models --disable-progress-bar --nocolor

# The column reference docs/columns.md, generated from the dbt YAML (models/**/*.yml).
# Run after changing a model's YAML; tests/test_docgen.py fails while it is stale.
docs: setup
	$(BIN)/python -m pipelines.docgen

# After a dependency change in pyproject.toml: install it, then pin every installed package
# (except the project itself) so every machine gets the same versions.
constraints:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e '.[dev]'
	$(PIP) freeze --exclude-editable | grep -v -i -E '^xinfang([ =@]|$$)' > constraints.txt
	@touch $(STAMP)
	@echo "constraints.txt: $$(wc -l < constraints.txt) packages"

# Build leftovers and caches. The warehouse state (./data), the inbox and .venv stay.
clean:
	rm -rf target logs dbt_packages test-output .pytest_cache .ruff_cache build dist
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -print0 | xargs -0 rm -rf

# Also remove the virtualenv.
distclean: clean
	rm -rf $(VENV) *.egg-info
