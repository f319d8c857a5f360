# `make demo` and `make test` each create .venv, install the package and run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

demo: install
	$(BIN)/newsstream run --output output

test: install-test
	$(BIN)/ruff check pipelines tests benchmarks
	$(BIN)/python -m pytest -q tests

bench: $(BIN)/python
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/kafka_source.py --limit 20000
	$(BIN)/python benchmarks/normalize.py
	$(BIN)/python benchmarks/dedup.py
	$(BIN)/python benchmarks/events.py --limit 300
	$(BIN)/python benchmarks/e2e.py --limit 500

clean:
	rm -rf $(VENV) output .pytest_cache
