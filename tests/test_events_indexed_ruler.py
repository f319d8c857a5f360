"""The indexed attribute ruler sets what the model's stock attribute ruler sets, token by token."""
import pytest
import spacy

from pipelines.events.indexed_ruler import IndexedAttributeRuler, index_attribute_ruler
from pipelines.events.nlp import DEFAULT_MODEL

# One-token rules (tag map, lemma and pronoun exceptions, dependency-based ones), the two-token rules
# ("gon na", "ai n't", "let 's", "there is"), and whitespace tokens.
SENTENCES = [
    "The ministers met in Geneva and agreed to lift the sanctions.",
    "I'm gonna tell you: it ain't over, and let's not pretend it is.",
    "There is a man who saw it, but he left;  \n she gave it to me.",
    "Y'all gotta see what they did to him, c'mon.",
    "That is what the rebels said those were for.",
]


def attributes(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


@pytest.fixture(scope="module")
def pipelines():
    stock = spacy.load(DEFAULT_MODEL)
    indexed = spacy.load(DEFAULT_MODEL)
    index_attribute_ruler(indexed)
    return stock, indexed


def test_the_indexed_ruler_sets_every_attribute_as_the_stock_one(pipelines):
    stock, indexed = pipelines
    assert isinstance(indexed.get_pipe("attribute_ruler"), IndexedAttributeRuler)
    assert indexed.pipe_names == stock.pipe_names
    for text in SENTENCES:
        assert attributes(indexed(text)) == attributes(stock(text)), text
    # the second pass answers from its cache, the same
    assert [attributes(d) for d in indexed.pipe(SENTENCES)] == [attributes(d) for d in stock.pipe(SENTENCES)]


def test_two_token_rules_and_their_index_apply(pipelines):
    _, indexed = pipelines
    doc = indexed("They're gonna win.")
    assert [t.lemma_ for t in doc if t.lower_ in ("gon", "na")] == ["go", "to"]


def test_a_pattern_the_index_does_not_handle_falls_back_to_the_matcher():
    nlp = spacy.load(DEFAULT_MODEL)
    index_attribute_ruler(nlp)
    ruler = nlp.get_pipe("attribute_ruler")
    assert nlp("The talks ended.")[1].lemma_ == "talk" and ruler._tests is not None
    ruler.add([[{"ORTH": "Geneva", "OP": "?"}, {"LOWER": "talks"}]], {"LEMMA": "negotiation"}, index=-1)
    doc = nlp("The Geneva talks ended.")
    assert ruler._tests is None
    assert doc[2].lemma_ == "negotiation"
    assert doc[1].pos_ == "PROPN" and doc[3].lemma_ == "end"
