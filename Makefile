# Kundstig: `make run` serves the app with the demo project; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TRANSFORMERS_STAMP := $(VENV)/.installed-transformers
E2E := tests/e2e
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export KUNDSTIG_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run install test test-deps lint audit bench fuzz frontend clean

run: install
	$(BIN)/kundstig db upgrade
	$(BIN)/kundstig demo
	$(BIN)/kundstig serve --host 127.0.0.1 --port 5000

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# The transformers backend of the NLP helper, which its tests need; `make run` does without
# (torch's Linux build from PyPI is large). torch goes first so pip keeps the pinned release.
$(TRANSFORMERS_STAMP): $(STAMP)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test,transformers]"
	touch $(TRANSFORMERS_STAMP)

# What the browser tests need beyond Python: Debian's chromium and axe-core from npm.
test-deps: install $(TRANSFORMERS_STAMP)
	command -v chromium >/dev/null || ($(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium)
	test -f $(E2E)/node_modules/axe-core/axe.min.js || npm ci --prefix $(E2E) --no-audit --no-fund --loglevel=error

lint: install
	$(BIN)/ruff check app research coding exports tests bench
	$(BIN)/lint-imports

# Known vulnerabilities in the installed dependencies (PyPI's advisory data), strict: a
# package that could not be checked fails the run too. It needs PyPI's per-release JSON
# API, which not every mirror or proxy serves, so it is a target of its own, not part of
# `make test`. An advisory without a fixed version may be ignored here, one
# `--ignore-vuln ID` per line with the reason beside it. None is ignored today.
AUDIT_IGNORE :=

audit: install
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off $(AUDIT_IGNORE)

test: test-deps lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python -m bench

# The property tests of tests/fuzz with many more examples than `make test` gives them.
fuzz: install
	KUNDSTIG_FUZZ_EXAMPLES=5000 $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz

# Refresh the vendored browser libraries (committed under app/static/vendor/) from the lockfile.
frontend:
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	cp frontend/node_modules/cytoscape/dist/cytoscape.min.js app/static/vendor/cytoscape.min.js

clean:
	rm -rf $(VENV) $(E2E)/node_modules frontend/node_modules .pytest_cache
