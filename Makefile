# `make demo` and `make test` each create .venv, install the package and run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

KAFKA_JARS := .cache/kafka

.PHONY: demo demo-streaming test bench install install-test kafka-jars schema-registry prism clean events-model

# Prism, Beam's portable local runner for streaming, built from Beam's Go module at the Beam version
# pinned in setup.py, into a git-ignored folder (nothing is downloaded when a job runs).
BEAM_VERSION := $(shell sed -n 's/.*"apache-beam==\([0-9.]*\)".*/\1/p' setup.py)
PRISM_DIR := .cache/prism/$(BEAM_VERSION)
PRISM := $(PRISM_DIR)/prism

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

# Apicurio Registry, a schema registry with the Confluent-compatible REST API, for the interop tests: the
# distribution Apicurio publishes on Maven Central (a Quarkus app with its libraries; it runs on Java 21+),
# unpacked once into a git-ignored folder.
APICURIO_VERSION := 3.3.3
APICURIO := .cache/apicurio-registry/$(APICURIO_VERSION)

$(APICURIO)/.stamp:
	@rm -rf $(APICURIO) && mkdir -p $(APICURIO)
	@mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
		-Dartifact=io.apicurio:apicurio-registry-app:$(APICURIO_VERSION):tar.gz:all \
		-DoutputDirectory=$(abspath $(APICURIO)) >.cache/apicurio-registry.log 2>&1 \
		|| { cat .cache/apicurio-registry.log; exit 1; }
	@tar -xzf $(APICURIO)/apicurio-registry-app-$(APICURIO_VERSION)-all.tar.gz -C $(APICURIO)
	@rm $(APICURIO)/apicurio-registry-app-$(APICURIO_VERSION)-all.tar.gz
	@touch $@

schema-registry: $(APICURIO)/.stamp

demo: install
	$(BIN)/newsstream run --output output

# the streaming job on Prism with the embedded broker: samples fed over a minute, windows shown closing
demo-streaming: install $(PRISM)
	$(BIN)/python -m pipelines.streaming_demo --output output-streaming

$(PRISM):
	@echo "building Prism $(BEAM_VERSION) into $(PRISM_DIR) (once; a few minutes)"
	@mkdir -p $(PRISM_DIR)
	@GOBIN=$(abspath $(PRISM_DIR)) GOFLAGS=-mod=mod go install github.com/apache/beam/sdks/v2/go/cmd/prism@v$(BEAM_VERSION)

prism: $(PRISM)

test: install-test kafka-jars schema-registry $(PRISM)
	$(BIN)/ruff check pipelines tests benchmarks
	$(BIN)/python -m pytest -q tests

# The learned event model (pipelines/events/event_model.json), retrained from the build halves of the labelled
# sets: features collected by running the rules over ../shared (benchmarks/data/event_model_features.jsonl),
# then a deterministic fit; `fit` alone retrains from the stored table without ../shared.
events-model: install
	$(BIN)/python benchmarks/train_event_model.py all

bench: $(BIN)/python kafka-jars $(PRISM)
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python benchmarks/kafka_source.py --limit 20000
	$(BIN)/python benchmarks/kafka_source.py --limit 20000 --broker kafka
	$(BIN)/python benchmarks/normalize.py
	$(BIN)/python benchmarks/dedup.py
	$(BIN)/python benchmarks/events.py --limit 300
	$(BIN)/python benchmarks/e2e.py --limit 500
	$(BIN)/python benchmarks/streaming.py --rates 0.5,2,5 --seconds 20

clean:
	rm -rf $(VENV) output output-streaming .pytest_cache .cache
