# `make demo` and `make test` each create .venv, install the package and run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test lint clean

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

clean:
	rm -rf $(VENV) output .pytest_cache
