# Lapor Netral: every target creates .venv on first use and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what running needs; every other target adds the test and benchmark tools.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed

.PHONY: run test browser lint typecheck clean reliability bench bench-quick mutation

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m lapor

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@$(MAKE) --no-print-directory browser
	$(BIN)/pytest

# The web console's browser tests drive Debian's Chromium (pip cannot provide it): installed
# here when missing and the machine allows it (root or passwordless sudo, apt-get); otherwise
# the tests are skipped and this says so loudly.
browser:
	@if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
		&& [ -z "$$CHROMIUM" ] && command -v apt-get >/dev/null 2>&1; then \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
		echo "installing Debian's chromium for the browser tests"; \
		($$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null) || true; \
	fi
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "$$CHROMIUM" ] || \
		printf '\n!!! NO CHROMIUM: the web console browser tests will be SKIPPED.\n!!! Install it (Debian: apt-get install chromium) or set CHROMIUM=/path/to/chrome.\n\n'

bench: $(STAMP)
	$(BIN)/python bench/storage_scale.py --cases 1000000
	$(BIN)/python bench/storage_scale.py --cases 1000000 --postgres
	$(BIN)/python bench/console_list.py --cases 1000000
	$(BIN)/python bench/conversation.py --reports 2000 --concurrency 200
	$(BIN)/python bench/conversation.py --memory 10000 --concurrency 200
	$(BIN)/python bench/whatsapp.py --reports 200 --concurrency 50
	$(BIN)/python bench/boundaries.py

bench-quick: $(STAMP)
	$(BIN)/python bench/storage_scale.py --cases 50000
	$(BIN)/python bench/storage_scale.py --cases 50000 --postgres
	$(BIN)/python bench/console_list.py --cases 50000 --rounds 30
	$(BIN)/python bench/conversation.py --quick
	$(BIN)/python bench/conversation.py --memory 1000 --concurrency 100
	$(BIN)/python bench/whatsapp.py --quick
	$(BIN)/python bench/boundaries.py

reliability: $(STAMP)
	$(BIN)/python reliability/run_all.py

# Mutation testing of the pure core and the storage layer (mutmut; not part of CI: a whole run
# is thousands of mutants). Narrow it with MUTATE, e.g. make mutation MUTATE='conversations.tickets*'
MUTATE ?=
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet 'mutmut==3.8.1'
	$(BIN)/mutmut run $(MUTATE) || true
	$(BIN)/mutmut results

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants
