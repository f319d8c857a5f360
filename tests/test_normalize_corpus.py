"""The messy-input corpus (tests/normalize_corpus/cases.json): each case's output asserted field by field."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipelines.records import RawArticle, RejectedInput
from pipelines.text.ids import article_id_for
from pipelines.text.normalize import Normalizer

CORPUS = Path(__file__).parent / "normalize_corpus"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
CLOCK = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
FIELDS = ("title", "language", "dateline", "credits", "url", "source")


def fields_of(case: dict) -> dict:
    fields = dict(case["input"])
    if "html_file" in case:
        fields["html"] = (CORPUS / case["html_file"]).read_text(encoding="utf-8")
    return fields


def utc_millis(iso: str | None) -> int | None:
    return None if iso is None else int(datetime.fromisoformat(iso).timestamp() * 1000)


@pytest.fixture(scope="module")
def normalizer() -> Normalizer:
    return Normalizer(clock=lambda: CLOCK)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_case(case, normalizer):
    expected = case["expected"]
    raw = RawArticle(fields=fields_of(case), original=b"{}")
    if "rejected" in expected:
        with pytest.raises(RejectedInput) as err:
            normalizer(raw)
        assert err.value.code == expected["rejected"]
        return

    article = normalizer(raw)
    assert [[p["index"], p["text"]] for p in article["paragraphs"]] == expected["paragraphs"]
    for field in FIELDS:
        assert article[field] == expected[field], field
    assert article["published_at"] == utc_millis(expected["published_at"])
    assert [w.split(":", 1)[0] for w in article["warnings"]] == expected["warnings"]
    assert article["removed_paragraphs"] == [] and article["kafka"] is None

    given = case["input"].get("id")
    text = "\n".join(p["text"] for p in article["paragraphs"])
    expected_id = {
        "given": str(given),
        "url": article_id_for(None, expected["url"], text),
        "text": article_id_for(None, None, text),
    }[expected["article_id_from"]]
    assert article["article_id"] == expected_id


def test_copies_from_different_wires_compare_equal(normalizer):
    by_name = {c["name"]: c for c in CASES}
    first, second = (normalizer(RawArticle(fields_of(by_name[name]), b""))
                     for name in ("wire_dateline_and_credit", "same_story_from_another_wire"))
    assert first["paragraphs"] == second["paragraphs"]
    assert first["article_id"] == second["article_id"]
    assert first["dateline"] != second["dateline"] and first["credits"] != second["credits"]
