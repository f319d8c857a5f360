"""Whether a lexicon match is used in its eventive sense. Ordinary news is full of trigger words that name
no event between actors: inside names ("actor Hugh Grant", "Snow Patrol"), as adjectives ("banned
substance", "hit novel"), in fixed expressions ("in order to", "in charge of", "take for granted"), in
sport and show-business idioms ("beat his rival 6-1", "fight it out for the award", "struck a chord"), with
things rather than actors as participants ("blamed a weaker dollar", "could hit 150,000", "offered two new
channels"), inside fiction ("a character is killed in the book") and in accidents ("injured in a crash").
These rules are linguistic, not lists of sentences: each names a construction."""
from __future__ import annotations

import re

from spacy.tokens import Span, Token

# Entity labels that name a thing or a quantity, never an actor.
THING_ENTITIES = {"WORK_OF_ART", "PRODUCT", "EVENT", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL",
                  "DATE", "TIME", "LANGUAGE"}
# Entity labels whose words are a name: a trigger word inside one is part of the name.
# (EVENT is left out: "the Boston Marathon bombing" names the bombing.)
NAME_ENTITIES = {"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "FAC", "LAW", "NORP", "GPE", "LOC"}
# Nouns for prizes, titles and honours: what one competes for, not a party.
PRIZE_NOUNS = set("award awards prize prizes trophy trophies medal medals title titles cup championship crown "
                  "honour honours honor honors accolade nomination nominations oscar oscars grammy".split())
# Goods, money and market figures: what firms sell, price and count. "offered two new channels" is trade,
# not a commitment between parties.
COMMERCIAL_NOUNS = set("dollar dollars euro euros pound pounds price prices cost costs share shares stake stakes "
                       "profit profits sale sales revenue revenues earnings turnover product products service "
                       "services device devices phone phones car cars software channel channels network "
                       "networks album albums single singles song songs ticket tickets benefit benefits "
                       "discount discounts model models machine machines computer computers console consoles "
                       "figure figures rate rates growth demand supply supplies output stock stocks".split())
# Nouns for acts, decisions and documents: the objects of approving, demanding, rejecting and backing.
ACT_NOUNS = set("law laws bill bills plan plans proposal proposals resolution resolutions measure measures "
                "decision decisions budget reform reforms policy policies request motion amendment legislation "
                "report offer bid ruling verdict end halt stop return admission explanation change changes "
                "removal compensation access recognition independence election elections vote referendum "
                "action actions step steps move moves idea ideas initiative deadline conditions terms demands "
                "rights right sovereignty autonomy status regime government constitution charter refuge protection "
                "sanctuary claim allegation allegations accusation accusations argument arguments "
                "suggestion suggestions statement appointment appointments".split())
# Nouns for what people say and think: attacking one is criticism.
SPEECH_NOUNS = set("remark remarks comment comments statement statements speech claim claims pledge pledges "
                   "promise promises record view views stance position approach strategy handling standard "
                   "standards leadership performance idea ideas word words failure failures tactics".split())
# Nouns for works of fiction and shows: events inside them are not news events.
WORK_NOUNS = set("book books novel novels film films movie movies episode episodes series sequel prequel "
                 "story stories plot play musical opera soap show drama sitcom comedy thriller chapter scene "
                 "scenes script screenplay game video fiction tale fairy-tale cartoon character characters".split())
# Nouns for people and bodies in general: parties to events even without a name ("leftists were arrested",
# "the tennis federation banned him").
PEOPLE_NOUNS = set("people person persons civilian civilians resident residents villager villagers citizen citizens "
                   "student students journalist journalists reporter reporters prisoner prisoners detainee "
                   "detainees suspect suspects protester protesters protestor protestors demonstrator "
                   "demonstrators refugee refugees migrant migrants worker workers employee employees staff "
                   "executive executives voter voters passenger passengers child children woman women man men "
                   "victim victims hostage hostages leftist leftists rightist rightists nationalist nationalists "
                   "islamist islamists extremist extremists terrorist terrorists gunman gunmen member members "
                   "leader leaders prefect prefects crowd crowds mob family families tribe tribes clan clans "
                   "priest priests monk monks bishop bishops farmer farmers miner miners teacher teachers "
                   "doctor doctors nurse nurses lawyer lawyers diplomat diplomats inmate inmates settler "
                   "settlers pilgrim pilgrims peasant peasants youth youths federation federations association "
                   "associations committee committees commission board body bodies institute institution panel "
                   "regulator regulators watchdog company companies firm firms bank banks club clubs champion "
                   "champions athlete athletes player players star stars manager managers chairman chairwoman "
                   "chief chiefs boss bosses director directors founder owner owners shareholder shareholders "
                   "creditor creditors customer customers consumer consumers".split())
FICTION_PEOPLE = set("character characters hero heroine villain protagonist narrator".split())
# Causes that make harm an accident rather than an act: "injured in a crash".
ACCIDENT_NOUNS = set("crash crashes accident accidents collision fall fire blaze flood floods earthquake quake "
                     "tsunami storm hurricane avalanche landslide derailment pile-up".split())
# Nouns that carry harm as an act when they are the subject: "a bomb killed", "the attack wounded".
ILLNESS_WORDS = set("heart panic asthma anxiety epileptic".split())
BODY_PARTS = set("ankle knee hamstring wrist foot shoulder back groin hand leg arm elbow calf thigh hip neck "
                 "finger toe achilles ligament muscle".split())
WEAPON_NOUNS = set("bomb bombs missile missiles rocket rockets shell shells grenade grenades mine mines device "
                   "explosive explosives gunman gunmen sniper snipers bullet bullets gunfire car-bomb drone "
                   "drones airstrike airstrikes".split())
# (preceding word, trigger word) pairs that form a fixed expression with no event in it.
FIXED_EXPRESSIONS = {("in", "order"), ("in", "charge"), ("of", "charge"), ("for", "granted"), ("press", "release"),
                     ("press", "conference"), ("so", "called"), ("so-", "called"), ("line", "calls"),
                     ("line", "call"), ("in", "support"), ("take", "charge"), ("takes", "charge"),
                     ("took", "charge"), ("taken", "charge"), ("taking", "charge")}
# Verb + particle/preposition pairs whose meaning is no event of the verb's type ("seize on a report").
NON_EVENT_PHRASALS = {("seize", "on"), ("seize", "upon"), ("fight", "out"), ("call", "up"), ("beat", "off"),
                      ("strike", "up"), ("hit", "back")}
# A degree word before "demand" or "support" makes it a market quantity, not a request or backing.
DEGREE_ADJECTIVES = set("strong stronger weak weaker high higher low lower rising falling increased increasing "
                        "growing slowing huge big bigger global domestic consumer robust sluggish soaring "
                        "booming surging sharp record healthy".split())
# What one declines to do when one declines to comment.
NO_COMMENT_VERBS = set("comment say discuss confirm elaborate reveal disclose speculate name draw answer".split())
# Words that mark a sport report, none of them common outside sport: a sentence with one uses beat, fight,
# attack, shot, rally, defend, sign and pull out as sport does.
SPORT_WORDS = set("striker midfielder goalkeeper tie-break premiership fixture innings wicket championship "
                  "tournament semi-final quarter-final semis scrum scrum-half fly-half rugby football footballer "
                  "tennis cricket golf athletics olympic olympics curling seed seeded trophy trophies flanker flankers "
                  "winger wingers strikers midfielders goalkeepers fixtures championships tournaments "
                  "semi-finals quarter-finals footballers offside referee referees sprinter sprinters squad squads "
                  "league leagues knockout qualifying qualifier qualifiers half-time first-half second-half "
                  "injury-time cup champion champions".split())
SCORE = re.compile(r"\b\d{1,2}-\d{1,2}\b")
# What sport news reports between real actors: bans, charges, criticism, arrests, appeals.
SPORT_EVENT_TYPES = {"ACCUSE", "COERCE", "SANCTION", "REQUEST", "STATEMENT"}
# Words of arts and entertainment reports, where harm verbs are mostly about charts, games and plots.
ARTS_WORDS = set("album albums chart charts film films movie movies box-office single singles song songs band "
                 "bands singer singers actress actresses actor actors novel novels festival festivals oscar "
                 "oscars game games console consoles sequel sequels soundtrack".split())
WORD = re.compile(r"[a-z][a-z-]*")
PERSONAL_PRONOUNS = {"i", "we", "you", "he", "she", "they"}


def is_name_word(token: Token) -> bool:
    """Part of a name: inside a named entity of a naming label, or a capitalized proper noun in the middle
    of a sentence that is not written in title case (a headline)."""
    if token.ent_type_ in NAME_ENTITIES and not (token.ent_iob_ == "B" and token.ent_type_ in ("NORP", "GPE")
                                                  and token.pos_ in ("VERB", "ADJ")):
        return True
    if token.pos_ == "PROPN" and token.text[:1].isupper() and token.i > token.sent.start:
        return not is_title_case(token.sent)
    return False


def is_title_case(sentence: Span) -> bool:
    words = [t for t in sentence if t.is_alpha and len(t) > 3]
    return bool(words) and sum(t.text[:1].isupper() for t in words) >= 0.8 * len(words)


def is_attributive(token: Token) -> bool:
    """A participle or adjective before the noun it describes ("banned athlete", "visiting fans", "freezing
    temperatures"): it classifies the noun, it reports no event. A past-tense verb the model hung on a noun
    after it ("the North test-fired missiles") has an object of its own and is left alone."""
    if token.dep_ not in ("amod", "compound", "nmod") or token.i > token.head.i or token.tag_ == "VBD":
        return False
    if token.head.pos_ not in ("NOUN", "PROPN"):
        return False
    return not any(c.dep_ in ("dobj", "prep", "agent", "nsubj", "aux", "npadvmod") for c in token.children)


def in_fixed_expression(token: Token) -> bool:
    before = token.doc[token.i - 1].lower_ if token.i > 0 else ""
    return (before, token.lower_) in FIXED_EXPRESSIONS or (before, token.lemma_.lower()) in FIXED_EXPRESSIONS


def non_event_phrasal(verb: Token, lemma: str) -> bool:
    return any((lemma, c.lower_) in NON_EVENT_PHRASALS for c in verb.children if c.dep_ in ("prt", "prep"))


def market_quantity(noun: Token) -> bool:
    """ "stronger demand", "demand is huge", "US demand for heating oil": a quantity of the market, not a
    request (a request is someone's: "a demand for talks", "their demands")."""
    if noun.lower_ == "demand" and not any(c.dep_ in ("det", "poss") for c in noun.children):
        return True
    if any(c.dep_ == "amod" and (c.lower_ in DEGREE_ADJECTIVES or c.tag_ in ("JJR", "JJS"))
           for c in noun.children):
        return True
    return noun.head.lemma_.lower() in ("increase", "boost", "meet", "fuel", "dampen", "cut", "reduce", "curb") \
        and noun.dep_ == "dobj"


def is_thing(token: Token) -> bool:
    """A number, an amount, a work, a product, a law or a prize: never a party to an event."""
    if token.ent_type_ in THING_ENTITIES or token.pos_ == "NUM" or token.like_num:
        return True
    return token.lemma_.lower() in PRIZE_NOUNS or token.lower_ in PRIZE_NOUNS


def _words(sentence: Span) -> set[str]:
    return set(WORD.findall(sentence.text.lower()))


def sport_report(sentence: Span) -> bool:
    if SCORE.search(sentence.text):
        return True
    if _words(sentence) & SPORT_WORDS:
        return True
    return any(t.lower_ in ("match", "matches") and t.pos_ == "NOUN" for t in sentence)


def arts_report(sentence: Span) -> bool:
    return bool(_words(sentence) & ARTS_WORDS)


def declines_to_comment(token: Token) -> bool:
    """ "declined to comment", "refused to discuss the reports": no answer given, no rejection of anyone."""
    verb = token if token.lemma_.lower() in ("decline", "refuse") else token.head
    if verb.lemma_.lower() not in ("decline", "refuse"):
        return False
    return any(c.dep_ == "xcomp" and c.lemma_.lower() in NO_COMMENT_VERBS for c in verb.children)


def in_fiction(token: Token) -> bool:
    """An event told inside a work: its participant is a character, or a phrase on its path names a book,
    film or show ("killed in the sixth book", "the murder at the beginning of the novel")."""
    for child in token.children:
        if child.dep_ in ("nsubj", "nsubjpass", "dobj") and child.lemma_.lower() in FICTION_PEOPLE:
            return True
    for node in [token, *token.ancestors][:4]:
        for prep in node.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("in", "of", "at", "from", "about"):
                continue
            for obj in prep.subtree:
                if obj.dep_ == "pobj" and (obj.lemma_.lower() in WORK_NOUNS or obj.ent_type_ == "WORK_OF_ART"):
                    return True
    return False


def accidental(token: Token) -> bool:
    """Harm with an accident as its cause: "injured in a motorcycle crash", "died in a fire"."""
    for prep in token.children:
        if prep.dep_ == "prep" and prep.lower_ in ("in", "after", "during", "by"):
            if any(o.dep_ == "pobj" and o.lemma_.lower() in ACCIDENT_NOUNS for o in prep.children):
                return True
    return False


def is_illness(token: Token) -> bool:
    """ "a heart attack", "an asthma attack": a bout of illness, not an assault."""
    return any(c.dep_ in ("compound", "amod") and c.lower_ in ILLNESS_WORDS for c in token.children)


def hurt_body(token: Token) -> bool:
    """ "injured his ankle", "injured it again": an injury to a body part (sport, accidents), not an assault."""
    return any(c.dep_ == "dobj" and (c.lemma_.lower() in BODY_PARTS or c.lower_ == "it") for c in token.children)


def is_weapon(token: Token) -> bool:
    return token.lemma_.lower() in WEAPON_NOUNS or token.lower_ in WEAPON_NOUNS
