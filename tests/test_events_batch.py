"""Batching across articles: one nlp.pipe per batch, a text spaCy cannot parse fails only its article."""
from spacy.language import Language

from pipelines.events.batch import NLP_ERROR, EventBatcher


def article(article_id, *texts, language="en"):
    return {"article_id": article_id, "published_at": None, "language": language,
            "paragraphs": [{"index": i * 2, "text": t} for i, t in enumerate(texts)]}


def test_articles_wait_until_a_batch_is_full_then_come_back_in_order(nlp):
    batcher = EventBatcher(nlp, batch_size=3)
    assert batcher.add(article("a", "Police arrested two men."), "ctx-a") == []
    results = batcher.add(article("b", "Rebels attacked a convoy.", "Troops withdrew from the town."), "ctx-b")
    assert [(r.article["article_id"], r.context) for r in results] == [("a", "ctx-a"), ("b", "ctx-b")]
    assert [e["event_type"] for e in results[1].events] == ["ASSAULT", "RETREAT"]
    assert [e["paragraph_index"] for e in results[1].events] == [0, 2]
    assert batcher.flush() == []


def test_flush_returns_what_is_waiting(nlp):
    batcher = EventBatcher(nlp, batch_size=100)
    batcher.add(article("a", "Police arrested two men."))
    (result,) = batcher.flush()
    assert result.error is None and result.events[0]["event_type"] == "COERCE"


@Language.component("fails_on_a_marker")
def fails_on_a_marker(doc):
    """A component that cannot handle one text, as spaCy may fail on odd input."""
    if "Unparseable" in doc.text:
        raise ValueError("cannot parse this text")
    return doc


def test_a_text_spacy_rejects_fails_only_its_own_article(nlp):
    batcher = EventBatcher(nlp, batch_size=100)
    nlp.add_pipe("fails_on_a_marker", last=True)
    try:
        batcher.add(article("good", "Police arrested two men."))
        batcher.add(article("bad", "Police arrested two men.", "Unparseable: rebels attacked a convoy."))
        good, bad = batcher.flush()
    finally:
        nlp.remove_pipe("fails_on_a_marker")
    assert good.error is None and good.events
    assert bad.events == [] and bad.error[0] == NLP_ERROR
    assert "paragraph 2" in bad.error[1] and "cannot parse this text" in bad.error[1]


def test_the_screen_changes_no_event_and_no_id(nlp):
    text = ("Shares rose 3% in early trading. Rebels attacked a convoy near the border on Monday. "
            "The weather was mild. The army said two soldiers were wounded.")
    runs = {}
    for screen in (True, False):
        batcher = EventBatcher(nlp, batch_size=100, screen=screen)
        batcher.add(article("s", text))
        (result,) = batcher.flush()
        runs[screen] = sorted((e["event_id"], e["event_type"], e["sentence"]) for e in result.events)
    assert runs[True] == runs[False]
    assert {t for _, t, _ in runs[True]} >= {"ASSAULT", "STATEMENT"}


def test_only_sentences_that_could_hold_a_trigger_are_parsed(nlp):
    batcher = EventBatcher(nlp, batch_size=100)
    pieces = batcher._pieces("Prices rose 3% in early trading. The minister said prices would fall. "
                             "Police arrested two men. The weather was mild.")
    assert [(text, entities) for _, text, entities in pieces] == [
        ("The minister said prices would fall. Police arrested two men.", True)]
    assert batcher._pieces("The weather was mild. Prices rose.") == []
    (offset, text, entities), = batcher._pieces("Prices rose 3%. The minister said prices would fall.")
    assert (offset, entities) == (16, False)


def test_pieces_parse_as_the_whole_pipeline_and_only_candidates_get_entities(nlp):
    batcher = EventBatcher(nlp, batch_size=100)
    event_text = "President Putin met Chancellor Scholz in Berlin on Monday."
    statement_text = "The spokesman for Acme Corp said in London that sales were up."
    event_doc, statement_doc = batcher._parse_pieces([(0, 0, event_text, True), (1, 0, statement_text, False)])
    whole = nlp(event_text)
    assert [(t.text, t.tag_, t.pos_, t.lemma_, t.dep_, t.head.i) for t in event_doc] == \
        [(t.text, t.tag_, t.pos_, t.lemma_, t.dep_, t.head.i) for t in whole]
    assert [(e.text, e.label_) for e in event_doc.ents] == [(e.text, e.label_) for e in whole.ents]
    assert ("Putin", "PERSON") in [(e.text, e.label_) for e in event_doc.ents]
    assert statement_doc.ents == () and [t.dep_ for t in statement_doc if t.lemma_ == "say"] == ["ROOT"]
