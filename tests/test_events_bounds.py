"""What one article may cost spaCy: texts cut to a bounded length at sentence or clause ends, a word
budget per article with a warning past it."""
from pipelines.events.batch import EventBatcher
from pipelines.events.bounds import EVENTS_TRUNCATED, EventBounds, segments


def article(article_id, *texts):
    return {"article_id": article_id, "published_at": None, "language": "en", "warnings": [],
            "paragraphs": [{"index": i, "text": t} for i, t in enumerate(texts)]}


def test_a_long_text_is_cut_at_sentence_ends_into_parts_no_longer_than_the_limit():
    text = " ".join(f"Sentence number {i} is here." for i in range(200))
    parts = segments(text, 300)
    assert len(parts) > 1 and all(b - a <= 300 for a, b in parts)
    assert "".join(text[a:b] for a, b in parts) == text
    assert all(text[a:b].rstrip().endswith(".") for a, b in parts)


def test_without_sentence_ends_it_is_cut_at_clause_marks_then_spaces_then_anywhere():
    clauses = ", ".join(f"clause {i} goes on" for i in range(100))
    assert all(clauses[a:b].rstrip().endswith(",") for a, b in segments(clauses, 200)[:-1])
    spaces = " ".join(["word"] * 300)
    assert all(spaces[a:b].endswith(" ") for a, b in segments(spaces, 200)[:-1])
    solid = "x" * 1000
    assert segments(solid, 300) == [(0, 300), (300, 600), (600, 900), (900, 1000)]


def test_no_text_longer_than_the_limit_or_max_length_reaches_spacy(nlp):
    sentence = "Rebels attacked a convoy near the border on Monday, the army said. "
    batcher = EventBatcher(nlp, batch_size=100, bounds=EventBounds(max_piece_chars=500))
    pieces = batcher._pieces(sentence * 100)
    assert len(pieces) > 10 and all(len(text) <= 500 for _, text, _ in pieces)
    limit = nlp.max_length
    try:
        nlp.max_length = 200
        assert all(len(text) <= 200 for _, text, _ in batcher._pieces(sentence * 100))
    finally:
        nlp.max_length = limit


def test_events_of_a_long_paragraph_keep_their_place_in_it(nlp):
    filler = "The weather was mild that day. " * 40
    text = filler + "Rebels attacked a convoy near the border on Monday."
    batcher = EventBatcher(nlp, batch_size=100, bounds=EventBounds(max_piece_chars=400))
    batcher.add(article("long", text))
    (result,) = batcher.flush()
    (event,) = [e for e in result.events if e["event_type"] == "ASSAULT"]
    unbounded = EventBatcher(nlp, batch_size=100, bounds=EventBounds(max_piece_chars=10 ** 6))
    unbounded.add(article("long", text))
    (reference,) = unbounded.flush()
    assert event["event_id"] in {e["event_id"] for e in reference.events}


def test_past_the_word_budget_the_rest_is_skipped_with_a_warning(nlp):
    sentence = "Rebels attacked a convoy near the border on Monday. "
    batcher = EventBatcher(nlp, batch_size=100, bounds=EventBounds(max_words=40))
    batcher.add(article("big", sentence * 3, sentence * 3, sentence * 3))
    batcher.add(article("small", sentence))
    big, small = batcher.flush()
    assert {e["paragraph_index"] for e in big.events} == {0}
    (warning,) = big.article["warnings"]
    assert warning.startswith(EVENTS_TRUNCATED + ":") and "paragraph 1" in warning
    assert big.skipped_words == 6 * 9
    assert small.skipped_words == 0 and small.article["warnings"] == [] and small.events
