"""Shared fixtures: the spaCy pipeline is loaded once per test session."""
import pytest


@pytest.fixture(scope="session")
def nlp():
    from pipelines.events.nlp import load_pipeline

    return load_pipeline()
