"""Actor codes across an article: later mentions inherit the codes of the earlier full mention they refer
back to ("US President Donald Trump" ... "Trump"; "the Foreign Ministry of Iran" ... "the ministry"; North
Korea ... "the North"), across paragraphs; a state body or office holder the article never places takes
the article's main country. Things that cannot act (weapons, documents, numbers, dates) are no actors: a
weapon's place as a source goes to whoever used it."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from pipelines.events.actors import mentions, phrase_text, phrase_tokens
from pipelines.events.coding import PERSON_TITLES, ROLE_SECTORS, Codes, code_mention, organisation_in
from pipelines.events.countries import find_countries, is_seat_of_government

# Nouns that name things, not parties: weapons, documents, amounts and times (our own list).
NOT_ACTOR_NOUNS = set(
    "missile missiles rocket rockets bomb bombs shell shells mortar mortars weapon weapons gun guns grenade "
    "grenades mine mines explosive explosives warhead warheads bullet bullets ammunition munitions "
    "photograph photographs photo photos picture pictures image images video videos document documents letter "
    "letters report reports map maps record records file files message messages email emails text "
    "date dates day days week weeks month months year years deadline time hours minutes "
    "figure figures number numbers amount amounts percent dollars".split())
NUMBER_ENTITIES = {"CARDINAL", "QUANTITY", "MONEY", "PERCENT", "DATE", "TIME", "ORDINAL"}
# Sectors of bodies that belong to a state: with no country of their own they are the article's.
STATE_SECTORS = {"GOV", "MIL", "JUD", "LEG"}
# Sectors of people and groups that act where they are: with no country of their own they belong to
# where the event happened, else to the article's country.
LOCAL_SECTORS = {"COP", "REB", "OPP", "PTY", "CVL", "REF", "BUS", "EDU", "LAB", "AGR", "MED", "UAF", "CRM", "REL"}
# Events done to a city by force are done to its people ("shelled Sarajevo"), not to its government.
FORCE_TYPES = {"ASSAULT", "COERCE"}
# "the North" / "the South" of a divided country, the first one the article names (our own list).
_DIVIDED = {"north": ("PRK", "SDN", "CYP", "VNM", "YEM"), "south": ("KOR", "SSD", "VNM", "YEM")}
_NAME_PARTS_LEFT_OUT = set(PERSON_TITLES) | {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "jr", "jr."}


@dataclass
class _Antecedent:
    position: tuple[int, int]
    codes: Codes


@dataclass
class ArticleMemory:
    """The coded full mentions of one article, by the words later mentions use for them."""

    names: dict[str, list[_Antecedent]] = field(default_factory=dict)
    role_nouns: dict[str, list[_Antecedent]] = field(default_factory=dict)
    countries: Counter = field(default_factory=Counter)
    first_seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def from_docs(cls, docs: list[tuple[int, Doc]]) -> ArticleMemory:
        memory = cls()
        for order, (_, doc) in enumerate(docs):
            for ent in doc.ents:
                if ent.label_ in ("PERSON", "ORG"):
                    memory._add_name(order, ent)
            for token in doc:
                if token.pos_ in ("NOUN", "PROPN") and token.lower_ in ROLE_SECTORS:
                    phrase = _phrase(token)
                    codes = code_mention(phrase, token) if find_countries(phrase) else Codes()
                    if codes.country:
                        memory.role_nouns.setdefault(token.lemma_.lower(), []).append(
                            _Antecedent((order, token.i), codes))
            found = find_countries(doc.text, generated_names=False)
            for ent in doc.ents:
                if ent.label_ in ("GPE", "LOC") and not find_countries(ent.text, generated_names=False):
                    found += [(ent.start, end, code) for _, end, code in find_countries(ent.text)]
            for start, _, code in found:
                memory.countries[code] += 1
                memory.first_seen[code] = min(memory.first_seen.get(code, (order, start)), (order, start))
        return memory

    def add_actor_names(self, actor_text: str, codes: Codes, position: tuple[int, int]) -> None:
        """A coded actor phrase that holds a name ("North Korean leader Kim Jong-un") lends its codes to the
        name's words, whether or not the entity recognizer ran on its sentence (the trigger screen parses
        some sentences without it)."""
        if not codes.country:
            return
        for word in actor_text.split():
            if word[:1].isupper() and len(word) > 1 and word.lower() not in _NAME_PARTS_LEFT_OUT \
                    and word.lower() not in ROLE_SECTORS and word.lower() not in _DIVIDED \
                    and not find_countries(word):
                candidates = self.names.setdefault(word, [])
                if not any(c.position == position for c in candidates):
                    candidates.append(_Antecedent(position, codes))
                    candidates.sort(key=lambda c: c.position)

    def _add_name(self, order: int, ent: Span) -> None:
        root = ent.root
        codes = code_mention(_phrase(root), root)
        if not (codes.country or codes.sector):
            return
        for token in ent if ent.label_ == "PERSON" else ():
            if token.text[:1].isupper() and len(token.text) > 1 and token.lower_ not in _NAME_PARTS_LEFT_OUT:
                self.names.setdefault(token.text, []).append(_Antecedent((order, root.i), codes))
        self.names.setdefault(ent.text, []).append(_Antecedent((order, root.i), codes))

    def main_country(self) -> str | None:
        """The country the article names most often (the first named on a tie)."""
        if not self.countries:
            return None
        best = max(self.countries.values())
        return min((c for c, n in self.countries.items() if n == best), key=lambda c: self.first_seen[c])

    def inherited(self, text: str, position: tuple[int, int]) -> Codes:
        """Codes of the full mention a short one refers back to: the name's latest fuller mention up to
        here (the article's first one when the name first appears later), else the latest earlier mention
        with the same role noun ("the ministry"), else the divided country's half ("the North")."""
        words = [w for w in text.split() if w.lower() not in ("the", "a", "an")]
        if not words:
            return Codes()
        for key in (" ".join(words), words[-1], words[0]):
            found = _latest(self.names.get(key, []), position, first_if_none=True)
            if found is not None:
                return found
        head = words[-1].lower()
        found = _latest(self.role_nouns.get(head, []) + self.role_nouns.get(head.rstrip("s"), []), position,
                        first_if_none=False)
        if found is not None and len(words) <= 2:
            return found
        if len(words) == 1 and head in _DIVIDED:
            named = [c for c in _DIVIDED[head] if c in self.countries]
            if named:
                return Codes(named[0], None)
        return Codes()


def _latest(candidates: list[_Antecedent], position: tuple[int, int], first_if_none: bool) -> Codes | None:
    """Codes of the last candidate before the position (else, with `first_if_none`, of the first one); a
    name given two different countries in the article is not resolved."""
    if not candidates or len({c.codes.country for c in candidates if c.codes.country}) > 1:
        return None
    before = [c for c in candidates if c.position < position]
    if before:
        return before[-1].codes
    return candidates[0].codes if first_if_none else None


def _phrase(token: Token) -> str:
    """The noun phrase of a token without its prepositional phrases ("US President Donald Trump")."""
    return phrase_text(phrase_tokens(token, set()))


def _sentence_tokens(doc: Doc, doc_text: str, event: dict) -> Span | None:
    start = doc_text.find(event["sentence"])
    if start < 0:
        return None
    return doc.char_span(start, start + len(event["sentence"]), alignment_mode="expand")


def _mention_span(sentence: Span, text: str) -> Span | None:
    start = sentence.text.find(text)
    if start < 0:
        return None
    return sentence.doc.char_span(sentence.start_char + start, sentence.start_char + start + len(text),
                                  alignment_mode="expand")


def is_thing(actor: dict, span: Span | None) -> bool:
    """A mention of a weapon, document, amount or date with nothing in it that names a party."""
    if actor.get("country") or actor.get("sector") or actor.get("entity_type") in ("PERSON", "ORG", "GPE", "NORP"):
        return False
    if span is not None:
        root = span.root
        return root.lower_ in NOT_ACTOR_NOUNS or root.ent_type_ in NUMBER_ENTITIES or root.like_num
    last = actor["text"].split()[-1].lower() if actor["text"].split() else ""
    return last in NOT_ACTOR_NOUNS


def _user_of(span: Span) -> Token | None:
    """Who used a weapon: the subject of the verb it is the object of ("the North test-fired two missiles")."""
    root = span.root
    for verb in root.children:
        if verb.dep_ in ("amod", "acl") and verb.tag_ == "VBD":
            # "the North test-fired two missiles" parsed as a modifier of "missiles"
            found = next((g for g in verb.children if g.pos_ in ("PROPN", "NOUN") and g.i < verb.i), None)
            if found is not None:
                return found
    if root.dep_ not in ("dobj", "pobj"):
        return None
    verb = root.head if root.dep_ == "dobj" else root.head.head
    subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.pos_ in ("PROPN", "NOUN")), None)
    if subject is None and verb.dep_ in ("amod", "acl") and verb.head.pos_ in ("PROPN", "NOUN"):
        return verb.head  # "the North test-fired two missiles": the verb parsed as a modifier of its subject
    return subject


def code_article_actors(events: list[dict], docs: list[tuple[int, Doc]]) -> list[dict]:
    """The article's events with actor codes completed article-wide and things removed from the actors."""
    memory = ArticleMemory.from_docs(docs)
    order_of = {index: order for order, (index, _) in enumerate(docs)}
    doc_of = dict(docs)
    text_of = {index: doc.text for index, doc in docs}
    main_country = memory.main_country()
    for event in events:
        for actor in event["actors"]:
            if len(actor["text"].split()) > 1:
                memory.add_actor_names(actor["text"], Codes(actor.get("country"), actor.get("sector")),
                                       (order_of.get(event["paragraph_index"], 0), 0))
    for event in events:
        doc = doc_of.get(event["paragraph_index"])
        sentence = _sentence_tokens(doc, text_of[event["paragraph_index"]], event) if doc is not None else None
        position = (order_of.get(event["paragraph_index"], 0), sentence.start if sentence is not None else 0)
        actors = []
        for actor in event["actors"]:
            span = _mention_span(sentence, actor["text"]) if sentence is not None else None
            if is_thing(actor, span):
                user = _user_of(span) if span is not None and actor["role"] == "source" else None
                if user is None:
                    continue
                text = mentions(user)[0][0] if mentions(user) else user.text
                codes = code_mention(text, user)
                actor = dict(actor, text=text, country=codes.country, sector=codes.sector,
                             entity_type=user.ent_type_ or None)
            codes = Codes(actor.get("country"), actor.get("sector"))
            if codes.sector != "IGO":
                codes = codes.merged(memory.inherited(actor["text"], position))
            if codes.country is None and _placeable(actor):
                place = (event.get("location") or {}).get("country")
                if codes.sector in STATE_SECTORS:
                    codes = Codes(main_country, codes.sector)
                elif codes.sector in LOCAL_SECTORS and organisation_in(actor["text"].split()) is None:
                    codes = Codes(place or main_country, codes.sector)
            if actor["role"] == "target" and str(event["event_type"]) in FORCE_TYPES and \
                    is_seat_of_government(actor["text"]):
                codes = Codes(codes.country, "CVL")
            if not any(a["role"] == actor["role"] and a["text"] == actor["text"] for a in actors):
                actors.append(dict(actor, country=codes.country, sector=codes.sector))
        event["actors"] = actors
    return events


def _placeable(actor: dict) -> bool:
    """A state body or office holder of no stated country: "the president", "police", "President X";
    not a body of an international organisation ("U.N. mediator")."""
    return not any(w.lower().strip(".") in ("un", "u.n", "united", "international", "eu", "nato") for w in
                   actor["text"].split())
