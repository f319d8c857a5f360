"""Article ids are bounded in length: a given id too long to be a key is replaced by its hash."""
from __future__ import annotations

from pipelines.text.ids import MAX_ID_CHARS, article_id_for


def test_a_given_id_longer_than_the_bound_becomes_its_hash():
    huge = "x" * 1_000_000
    assert len(article_id_for(huge, None, "t")) <= MAX_ID_CHARS
    assert article_id_for(huge, None, "t") == article_id_for(huge, "https://a.example/1", "other text")
    assert article_id_for(huge, None, "t") != article_id_for(huge + "y", None, "t")
    exact = "y" * MAX_ID_CHARS
    assert article_id_for(exact, None, "t") == exact
