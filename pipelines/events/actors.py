"""Actor mentions from the dependency parse: the noun phrase of a participant (split at conjunctions),
with the country and sector its words imply (pipelines.events.coding)."""
from __future__ import annotations

from spacy.tokens import Span, Token

from pipelines.events.coding import ROLE_SECTORS, code_mention, sector_of_words

# Dependents that leave the noun phrase: clauses, appositions, coordination (handled apart).
_OUTSIDE_PHRASE = {"relcl", "acl", "advcl", "appos", "cc", "conj", "parataxis", "ccomp", "punct", "preconj",
                   "npadvmod"}
# Prepositions whose object still names the actor: "forces in Guinea", "doctors from two aid groups".
_PHRASE_PREPOSITIONS = {"of", "from", "in", "for", "based"}
PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "his", "her", "its", "their", "our", "them", "him",
            "who", "which", "that", "whom", "whose"}

# The nouns extraction treats as naming actors (parties.is_actor_noun), with their sector codes. Kept as
# extraction had them: the coding tables (coding.ROLE_SECTORS) know more words, for codes only.
_ACTOR_NOUNS = (
    "president premier minister ministry ministers government cabinet official officials administration "
    "authorities authority spokesman spokeswoman spokesperson diplomat diplomats ambassador embassy envoy "
    "parliament lawmakers legislators politicians politician mps senators senator legislature congress senate "
    "regime king queen emir chancellor governor mayor "
    "secretary state-department leader leaders council negotiators delegation counterpart army military "
    "troops soldiers soldier forces navy marines commander commanders general generals officer officers "
    "air-force militaries warplanes jets helicopters tanks police policeman policemen police-officers "
    "gendarmes rebels rebel insurgents insurgent guerrillas guerillas guerrilla militants militant militia "
    "militiamen separatists fighters opposition dissidents dissident activists activist court judge judges "
    "prosecutor prosecutors tribunal newspaper media reporters reporter journalists journalist agency "
    "television radio press company companies businessman businessmen firm firms corporation bank banks "
    "investors civilians residents villagers people refugees students workers farmers demonstrators "
    "protesters protestors un u.n. united-nations nato eu imf unhcr osce iaea ngo charity red-cross amnesty"
)
SECTORS = {word: ROLE_SECTORS.get(word) for word in _ACTOR_NOUNS.split()}


def phrase_tokens(head: Token, prepositions: set[str] = _PHRASE_PREPOSITIONS) -> list[Token]:
    """The head and the dependents that belong to its noun phrase, in order."""
    tokens = [head]
    for child in head.children:
        if child.dep_ in _OUTSIDE_PHRASE or child.tag_ == "VBD":
            continue
        if child.dep_ == "prep" and child.lower_ not in prepositions:
            continue
        tokens.extend(phrase_tokens(child, prepositions))
    return sorted(tokens, key=lambda t: t.i)


def phrase_text(tokens: list[Token]) -> str:
    """Text of a contiguous run of tokens, trimmed of surrounding punctuation and determiners, and of a
    preposition left dangling at the end when its object was parsed outside the phrase."""
    while tokens and (tokens[0].is_punct or tokens[0].dep_ in ("det", "cc")):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].pos_ == "ADP"):
        tokens = tokens[:-1]
    if not tokens:
        return ""
    doc = tokens[0].doc
    return doc[tokens[0].i:tokens[-1].i + 1].text


def conjuncts(head: Token) -> list[Token]:
    """The head and every token coordinated with it ("Trump and Kim" -> [Trump, Kim])."""
    found = [head]
    for child in head.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON", "ADJ", "NUM"):
            found.extend(conjuncts(child))
    return found


def mentions(head: Token, prepositions: set[str] = _PHRASE_PREPOSITIONS) -> list[tuple[str, Token]]:
    """(text, head token) for each participant a noun phrase names, split at coordination.

    A coordinated modifier distributes over the shared head: "US and North Korean officials" ->
    "US officials", "North Korean officials"."""
    result = []
    for member in conjuncts(head):
        tokens = phrase_tokens(member, prepositions)
        modifier = next((c for c in member.children if c.i < member.i and c.dep_ in ("amod", "compound", "nmod")
                         and any(g.dep_ == "conj" and g.i < member.i for g in c.children)), None)
        if modifier is None:
            result.append((phrase_text(tokens), member))
            continue
        shared = [t for t in tokens if t.i > max(g.i for g in _coordinated_modifiers(modifier))]
        for part in _coordinated_modifiers(modifier):
            part_tokens = [t for t in part.subtree if (t == part or t.dep_ not in ("cc", "conj", "punct")) and
                           (t == part or not any(a.dep_ == "conj" for a in t.ancestors if a.i >= part.i and
                                                 a != part))]
            text = " ".join(x for x in (phrase_text(sorted(part_tokens, key=lambda t: t.i)),
                                        phrase_text(shared)) if x)
            result.append((text, member))
    return [(text, token) for text, token in result if text]


def _coordinated_modifiers(modifier: Token) -> list[Token]:
    return [modifier] + [c for c in modifier.children if c.dep_ == "conj" and c.i < modifier.head.i]


def sector_of(text: str) -> str | None:
    """The sector code the words of a mention state (GOV, MIL, REB, COP, ...), or None."""
    return sector_of_words(text.split())


def actor_record(role: str, text: str, head: Token) -> dict:
    """An Actor record (schemas/event.avsc)."""
    codes = code_mention(text, head)
    return {"role": role, "text": text, "country": codes.country, "sector": codes.sector,
            "entity_type": head.ent_type_ or None}


def is_pronoun(token: Token) -> bool:
    return token.pos_ == "PRON" or token.lower_ in PRONOUNS


def span_of(tokens: list[Token]) -> Span:
    doc = tokens[0].doc
    return doc[min(t.i for t in tokens):max(t.i for t in tokens) + 1]
