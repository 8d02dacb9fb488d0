# dathub: `make demo` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint typecheck pytest pytest-dates bench serve clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	$(BIN)/dathub demo

serve: $(STAMP)
	$(BIN)/dathub serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy src

# The whole suite on SQLite; again on PostgreSQL (all but the browser tests) when
# DATABASE_URL is set.
pytest: $(STAMP)
	env -u DATABASE_URL $(BIN)/pytest -n 2 --dist loadfile
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($${DATABASE_URL%%@*}@...)"; \
	  $(BIN)/pytest -n 2 --dist loadfile -m "not browser"; \
	fi

# The tests that depend on the date, again as if it were each of these moments: this
# morning before the demo's working day, the last half hour of a financial year, the first of
# the next, a leap day and years from now. No test may depend on the day it runs.
DATED_RUNS := "today 08:30" "next 03-31T23:30" "next 04-01T00:30" "next 02-29T12:00" "+12y"
pytest-dates: $(STAMP)
	@for when in $(DATED_RUNS); do \
	  echo "== the date-sensitive tests as at $$when"; \
	  DATHUB_TEST_NOW="$$when" env -u DATABASE_URL $(BIN)/pytest -n 2 --dist loadfile -m calendar \
	    -p no:cacheprovider || exit 1; \
	done

test: lint typecheck pytest pytest-dates

bench: $(STAMP)
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_records.py
	$(BIN)/python bench/bench_load.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
