"""An article whose event extraction fails is written once, as a dead letter holding the message's original
bytes, file line and id, not also as an article: messages read = articles + dead letters."""
from __future__ import annotations

import json

from tests.conftest import run_pipeline

TOO_LONG_FOR_SPACY = "word " * 200_001  # past spaCy's max_length (1,000,000 characters): the tokenizer refuses it


def test_an_events_failure_is_a_dead_letter_with_the_original_line(tmp_path):
    lines = [
        json.dumps({"id": "ok-1", "text": "Police arrested two men in Lima."}),
        json.dumps({"id": "huge", "text": TOO_LONG_FOR_SPACY}),
        json.dumps({"id": "ok-2", "text": "Rebels attacked a convoy near Goma."}),
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n")
    outputs, totals = run_pipeline(["--input-file", str(source), "--output", str(tmp_path / "out"),
                                    "--max-paragraph-chars", "2000000", "--no-language-detection"])
    assert sorted(a["article_id"] for a in outputs["articles"]) == ["ok-1", "ok-2"]
    [letter] = outputs["dead_letters"]
    assert (letter["stage"], letter["error_code"], letter["article_id"]) == ("events", "nlp_error", "huge")
    assert letter["original"] == lines[1].encode() and letter["line"] == 2
    assert totals["parse.in"] == len(outputs["articles"]) + len(outputs["dead_letters"]) == 3
