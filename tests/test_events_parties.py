"""What a phrase names: a party, a place, an act or a thing. Our own sentences."""
import pytest

from pipelines.events.parties import is_act, is_actor_like, is_inanimate, names_actor


def token(nlp, text, word):
    return next(t for t in nlp(text) if t.text == word)


@pytest.mark.parametrize("text, word", [("The workers left.", "workers"), ("Kenya objected.", "Kenya")])
def test_parties(nlp, text, word):
    assert names_actor(token(nlp, text, word)) and is_actor_like(token(nlp, text, word))


def test_a_noun_owned_by_a_party_names_one(nlp):
    assert names_actor(token(nlp, "Poland's parliament voted.", "parliament"))


@pytest.mark.parametrize("text, word", [
    ("They sold the phones cheaply.", "phones"), ("He won the award.", "award")])
def test_things_are_no_parties(nlp, text, word):
    assert is_inanimate(token(nlp, text, word)) and not names_actor(token(nlp, text, word))


def test_a_law_is_an_act(nlp):
    assert is_act(token(nlp, "The senate approved the bill.", "bill"))
