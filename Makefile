# dathub: `make demo` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint typecheck pytest bench serve clean

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

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_records.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
