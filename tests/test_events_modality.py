"""Mode and negation of triggers, without the rest of extraction. Our own sentences."""
import pytest

from pipelines.events.modality import is_negated, mode_of
from pipelines.events.triggers import find_triggers


def first(nlp, text, event_type):
    sentence = next(nlp(text).sents)
    return next(t for t in find_triggers(sentence) if t.sense.event_type == event_type)


@pytest.mark.parametrize("text, event_type, mode", [
    ("Police arrested two students.", "COERCE", "asserted"),
    ("Norway will send aid to Yemen.", "AID", "intended"),
    ("The firm plans to sign a deal with Oslo.", "AGREE", "intended"),
    ("Ankara could impose sanctions on the firm.", "SANCTION", "hypothetical"),
    ("If the rebels attacked the capital, the army would respond.", "ASSAULT", "hypothetical"),
    ("The envoy demanded that Israel lift the blockade.", "CONCEDE", "intended"),
])
def test_mode(nlp, text, event_type, mode):
    assert mode_of(first(nlp, text, event_type)) == mode


@pytest.mark.parametrize("text, event_type, negated", [
    ("The union did not accept the offer.", "AGREE", True),
    ("The two sides failed to sign the treaty.", "AGREE", True),
    ("The two sides signed the treaty.", "AGREE", False),
])
def test_negation(nlp, text, event_type, negated):
    assert is_negated(first(nlp, text, event_type)) is negated
