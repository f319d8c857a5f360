"""An article whose event extraction fails is written once, as a dead letter holding the message's original
bytes, file line and id, not also as an article: messages read = articles + dead letters."""
from __future__ import annotations

import json

from spacy.language import Language

import pipelines.transforms.events as events_stage
from pipelines.events.nlp import load_pipeline
from tests.conftest import run_pipeline

MARKER = "Unparseable"


@Language.component("fails_on_the_marker")
def fails_on_the_marker(doc):
    """A component that cannot handle one text, as spaCy may fail on odd input."""
    if MARKER in doc.text:
        raise ValueError("cannot parse this text")
    return doc


def load_pipeline_failing_on_the_marker(model: str):
    nlp = load_pipeline(model)
    nlp.add_pipe("fails_on_the_marker", last=True)
    return nlp


def test_an_events_failure_is_a_dead_letter_with_the_original_line(tmp_path, monkeypatch):
    monkeypatch.setattr(events_stage, "load_pipeline", load_pipeline_failing_on_the_marker)
    lines = [
        json.dumps({"id": "ok-1", "text": "Police arrested two men in Lima."}),
        json.dumps({"id": "bad", "text": f"{MARKER}: rebels attacked a convoy near Goma."}),
        json.dumps({"id": "ok-2", "text": "Rebels attacked a convoy near Bukavu."}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    outputs, totals = run_pipeline(["--input-file", str(source), "--output", str(tmp_path / "out"),
                                    "--no-language-detection"])
    assert sorted(a["article_id"] for a in outputs["articles"]) == ["ok-1", "ok-2"]
    [letter] = outputs["dead_letters"]
    assert (letter["stage"], letter["error_code"], letter["article_id"]) == ("events", "nlp_error", "bad")
    assert letter["original"] == lines[1].encode() and letter["line"] == 2
    assert totals["parse.in"] == len(outputs["articles"]) + len(outputs["dead_letters"]) == 3
