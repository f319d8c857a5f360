# `make demo` and `make test` each create .venv, install the package and run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

KAFKA_JARS := .cache/kafka

.PHONY: demo test bench install install-test kafka-jars clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

# Apache Kafka broker jars for the integration tests' KRaft cluster (tests/kafka/pom.xml pins the version);
# fetched once through Maven, refetched only when the pom changes.
$(KAFKA_JARS)/.stamp: tests/kafka/pom.xml
	@rm -rf $(KAFKA_JARS) && mkdir -p .cache
	@mvn -q -B -f tests/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
		-DoutputDirectory=$(abspath $(KAFKA_JARS)) >.cache/kafka-jars.log 2>&1 \
		|| { cat .cache/kafka-jars.log; exit 1; }
	@touch $@

kafka-jars: $(KAFKA_JARS)/.stamp

demo: install
	$(BIN)/newsstream run --output output

test: install-test kafka-jars
	$(BIN)/ruff check pipelines tests benchmarks
	$(BIN)/python -m pytest -q tests

bench: $(BIN)/python kafka-jars
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/kafka_source.py --limit 20000
	$(BIN)/python benchmarks/kafka_source.py --limit 20000 --broker kafka
	$(BIN)/python benchmarks/normalize.py
	$(BIN)/python benchmarks/dedup.py
	$(BIN)/python benchmarks/events.py --limit 300
	$(BIN)/python benchmarks/e2e.py --limit 500

clean:
	rm -rf $(VENV) output .pytest_cache
