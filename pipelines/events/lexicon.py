"""Our trigger lexicon: PLOVER's 16 event types plus STATEMENT (CAMEO 01), written from the concepts of the
public PLOVER manual and CAMEO codebook. Each entry gives a type and a strength (how reliably the word
signals that type on its own, 0..1). Verbs, event nouns, phrasal verbs and verb + object pairs are listed
separately; `triggers.py` and `admission.py` decide which matches become events."""
from __future__ import annotations

from typing import NamedTuple


class Sense(NamedTuple):
    """The event type a trigger signals and how strongly it does so by itself."""

    event_type: str
    strength: float


def _senses(table: dict[str, str], strength: float) -> dict[str, Sense]:
    senses: dict[str, Sense] = {}
    for event_type, words in table.items():
        for word in words.split():
            senses[word.replace("_", " ")] = Sense(event_type, strength)
    return senses


# Verbs that signal their type clearly (lemmas).
_STRONG_VERBS = {
    "AGREE": "agree promise pledge offer commit consent ratify guarantee",
    "CONSULT": "meet negotiate consult confer mediate visit host",
    "SUPPORT": "support endorse praise welcome apologize apologise commend congratulate applaud hail thank "
               "reaffirm defend",
    "COOPERATE": "cooperate co-operate collaborate extradite",
    "AID": "donate aid assist",
    "CONCEDE": "concede relent capitulate pardon",
    "RETREAT": "withdraw retreat demobilize demobilise disarm demilitarize surrender disband",
    "REQUEST": "demand urge request appeal plead beg implore petition",
    "ACCUSE": "accuse blame condemn criticize criticise denounce complain allege investigate sue indict "
              "prosecute deplore censure rebuke decry",
    "REJECT": "reject refuse decline veto rebuff spurn renege defy disagree dismiss refute",
    "THREATEN": "threaten warn intimidate menace coerce blackmail",
    "PROTEST": "protest demonstrate rally riot picket boycott march",
    "MOBILIZE": "mobilize mobilise deploy test-fire",
    "SANCTION": "sanction embargo expel",
    "COERCE": "arrest detain jail imprison deport outlaw ban confiscate censor repress suppress abduct kidnap "
              "hijack deface sabotage sentence",
    "ASSAULT": "attack kill bomb shell assassinate murder massacre torture wound injure ambush invade "
               "bombard behead execute stab storm overrun retake",
    "STATEMENT": "say tell announce state declare report quote claim insist confirm reiterate stress remark "
                 "comment note acknowledge assert express add explain reveal disclose brief relay",
}

# Verbs whose type depends more on context (weaker on their own).
_WEAK_VERBS = {
    "AGREE": "accept sign approve settle vow",
    "CONSULT": "talk discuss travel receive",
    "SUPPORT": "back recognize recognise forgive upgrade restore normalize",
    "COOPERATE": "share coordinate partner",
    "AID": "help provide deliver supply grant fund finance rescue evacuate shelter feed lend contribute",
    "CONCEDE": "ease lift release free allow cancel resign compromise yield reinstate",
    "REQUEST": "ask seek call order instruct summon invite press lobby",
    "ACCUSE": "charge probe question",
    "REJECT": "deny oppose resist violate block",
    "THREATEN": "pressure oblige",
    "PROTEST": "strike",
    "MOBILIZE": "patrol reinforce station mass",
    "SANCTION": "suspend freeze sever recall withhold restrict fine strip",
    "COERCE": "seize raid disperse evict prevent destroy demolish hack",
    "ASSAULT": "fight clash fire shoot strike beat capture explode detonate hit",
}

VERBS: dict[str, Sense] = {**_senses(_WEAK_VERBS, 0.5), **_senses(_STRONG_VERBS, 0.75)}

# Event nouns (lemmas). Deverbal nouns and the nouns news uses for events: "summit", "talks", "protest".
_STRONG_NOUNS = {
    "AGREE": "agreement accord pact treaty deal promise pledge",
    "CONSULT": "meeting summit talk talks negotiation negotiations consultation consultations visit mediation "
               "dialogue",
    "SUPPORT": "apology endorsement",
    "COOPERATE": "cooperation collaboration extradition",
    "AID": "aid assistance donation relief",
    "CONCEDE": "concession amnesty pardon resignation",
    "RETREAT": "withdrawal pullout ceasefire cease-fire truce demobilization disarmament retreat",
    "REQUEST": "demand appeal request plea petition",
    "ACCUSE": "accusation allegation condemnation complaint investigation probe lawsuit indictment inquiry",
    "REJECT": "rejection refusal veto rebuff",
    "THREATEN": "threat ultimatum warning coercion",
    "PROTEST": "protest demonstration rally riot boycott sit-in walkout",
    "MOBILIZE": "mobilization mobilisation deployment buildup build-up",
    "SANCTION": "sanction sanctions embargo expulsion",
    "COERCE": "arrest detention crackdown curfew deportation censorship",
    "ASSAULT": "attack bombing airstrike air-strike shelling shooting gunfire ambush invasion offensive massacre "
               "killing assassination murder explosion blast kidnapping abduction torture bombardment",
}
_WEAK_NOUNS = {
    "CONSULT": "discussion discussions trip conference",
    "SUPPORT": "support backing praise",
    "AID": "help asylum loan grant evacuation rescue",
    "CONCEDE": "release",
    "REQUEST": "call order invitation",
    "ACCUSE": "criticism charge charges trial",
    "REJECT": "denial opposition disagreement",
    "PROTEST": "march strike",
    "MOBILIZE": "exercise exercises drill drills patrol patrols test launch",
    "SANCTION": "suspension",
    "COERCE": "raid seizure siege",
    "ASSAULT": "fighting clash clashes battle violence",
}
NOUNS: dict[str, Sense] = {**_senses(_WEAK_NOUNS, 0.45), **_senses(_STRONG_NOUNS, 0.65)}

# Nouns for an undertaking: with an event noun before them they name that event ("a mediation effort").
UNDERTAKING_NOUNS = set("effort campaign operation mission bid attempt drive push initiative wave spree process "
                        "action plan programme program".split())
# Nouns that are events only with a qualifying modifier: "air strike" vs "strike", "missile test".
QUALIFIED_NOUNS: dict[str, dict[str, str]] = {
    "strike": {"air": "ASSAULT", "missile": "ASSAULT", "drone": "ASSAULT", "military": "ASSAULT",
               "hunger": "PROTEST", "general": "PROTEST", "labor": "PROTEST", "labour": "PROTEST"},
    "test": {"missile": "MOBILIZE", "nuclear": "MOBILIZE", "weapon": "MOBILIZE", "weapons": "MOBILIZE"},
    "exercise": {"military": "MOBILIZE", "joint": "MOBILIZE", "naval": "MOBILIZE", "war": "MOBILIZE"},
    "launch": {"missile": "MOBILIZE", "rocket": "MOBILIZE"},
}
# Weak nouns that need such a modifier to count at all.
NEEDS_QUALIFIER = {"test", "exercise", "exercises", "drill", "drills", "launch"}

# Multiword event nouns, matched on lowercase words: the first word's syntactic head is the trigger.
PHRASE_NOUNS: dict[tuple[str, ...], Sense] = {
    ("state", "of", "emergency"): Sense("COERCE", 0.7),
    ("state", "of", "siege"): Sense("COERCE", 0.7),
    ("martial", "law"): Sense("COERCE", 0.7),
    ("human", "shields"): Sense("COERCE", 0.7),
    ("legal", "action"): Sense("ACCUSE", 0.65),
    ("human", "shield"): Sense("COERCE", 0.7),
    ("peace", "talks"): Sense("CONSULT", 0.75),
}

# Phrasal verbs: (verb lemma, particle or preposition) -> sense. These win over the bare verb.
PHRASAL: dict[tuple[str, str], Sense] = {
    ("call", "for"): Sense("REQUEST", 0.75),
    ("call", "on"): Sense("REQUEST", 0.75),
    ("call", "upon"): Sense("REQUEST", 0.75),
    ("push", "for"): Sense("REQUEST", 0.6),
    ("press", "for"): Sense("REQUEST", 0.7),
    ("lobby", "for"): Sense("REQUEST", 0.7),
    ("call", "off"): Sense("CONCEDE", 0.7),
    ("brush", "off"): Sense("REJECT", 0.75),
    ("turn", "down"): Sense("REJECT", 0.75),
    ("rule", "out"): Sense("REJECT", 0.75),
    ("pull", "out"): Sense("RETREAT", 0.75),
    ("pull", "back"): Sense("RETREAT", 0.75),
    ("back", "down"): Sense("CONCEDE", 0.75),
    ("step", "down"): Sense("CONCEDE", 0.7),
    ("give", "in"): Sense("CONCEDE", 0.7),
    ("crack", "down"): Sense("COERCE", 0.75),
    ("beat", "up"): Sense("ASSAULT", 0.75),
    ("blow", "up"): Sense("ASSAULT", 0.7),
    ("shoot", "down"): Sense("ASSAULT", 0.75),
    ("hand", "over"): Sense("COOPERATE", 0.6),
    ("side", "with"): Sense("SUPPORT", 0.7),
    ("stand", "by"): Sense("SUPPORT", 0.6),
    ("walk", "out"): Sense("PROTEST", 0.6),
    ("speak", "out"): Sense("ACCUSE", 0.6),
    ("lash", "out"): Sense("ACCUSE", 0.7),
    ("sit", "down"): Sense("CONSULT", 0.5),
    ("work", "with"): Sense("COOPERATE", 0.5),
    ("fire", "on"): Sense("ASSAULT", 0.8),
    ("force", "out"): Sense("COERCE", 0.7),
    ("fire", "at"): Sense("ASSAULT", 0.8),
}

# Verb + object noun -> sense: the pair means something neither word means alone.
VERB_OBJECT: dict[tuple[str, str], Sense] = {}
for _verbs, _objects, _sense in (
    ("lift ease relax end cancel remove", "ban sanction sanctions curfew restriction restrictions siege blockade "
     "embargo measure measures", Sense("CONCEDE", 0.75)),
    ("sever cut break suspend", "tie ties relation relations link links contact contacts", Sense("SANCTION", 0.75)),
    ("upgrade restore normalize establish", "tie ties relation relations", Sense("SUPPORT", 0.7)),
    ("send dispatch", "troop troops force forces soldier soldiers warship warships reinforcement reinforcements "
     "reservist reservists", Sense("MOBILIZE", 0.75)),
    ("send deliver ship", "aid food medicine medicines supply supplies relief", Sense("AID", 0.75)),
    ("send supply sell ship", "arms weapon weapons", Sense("AID", 0.6)),
    ("take hold seize", "hostage hostages captive captives", Sense("COERCE", 0.75)),
    ("take", "street streets", Sense("PROTEST", 0.75)),
    ("lodge file register", "protest complaint complaints", Sense("ACCUSE", 0.75)),
    ("set", "fire", Sense("COERCE", 0.7)),
    ("fire", "shell shells rocket rockets missile missiles shot shots bullet bullets", Sense("ASSAULT", 0.75)),
    ("impose declare", "curfew siege emergency", Sense("COERCE", 0.75)),
    ("grant offer", "asylum", Sense("AID", 0.75)),
    ("share", "intelligence information expertise", Sense("COOPERATE", 0.7)),
    ("reach strike seal clinch", "agreement deal deals accord compromise pact", Sense("AGREE", 0.8)),
    ("declare", "ceasefire cease-fire truce", Sense("RETREAT", 0.8)),
    ("use", "force", Sense("ASSAULT", 0.6)),
    ("open", "fire", Sense("ASSAULT", 0.8)),
    ("close seal shut", "border borders crossing crossings embassy", Sense("SANCTION", 0.6)),
    ("block barricade", "road roads street streets highway highways traffic", Sense("PROTEST", 0.7)),
):
    for _verb in _verbs.split():
        for _object in _objects.split():
            VERB_OBJECT[(_verb, _object)] = _sense

# Verbs whose own meaning is thin: with an event noun as object, the noun's event is the one ("held talks",
# "staged a protest", "imposed sanctions", "announced a suspension").
LIGHT_VERBS = set(
    "hold stage launch mount conduct carry begin start resume continue organize organise make issue reach "
    "impose declare announce express sign give have lead join step intensify escalate wage pursue order"
    .split())

# Verbs that take a clause saying what someone will do: the embedded event is intended.
INTENT_VERBS = set("plan intend aim want wish hope decide prepare seek expect mean "
                   "propose vow pledge promise offer threaten agree refuse decline".split())
# Adjectives in "be willing / ready / prepared / determined to X": a commitment (AGREE) to X.
WILLING_ADJECTIVES = set("willing ready prepared committed determined eager".split())

# Modal auxiliaries.
FUTURE_AUX = {"will", "shall", "'ll", "wo"}
HYPOTHETICAL_AUX = {"would", "could", "might", "may", "'d", "can"}
OBLIGATION_AUX = {"must", "should"}

# PLOVER codes a declared intention by its nature: a promise of a friendly act is AGREE, of a hostile
# act THREATEN.
COOPERATIVE_TYPES = {"AID", "CONCEDE", "RETREAT", "COOPERATE", "SUPPORT", "CONSULT", "AGREE"}
HOSTILE_TYPES = {"ASSAULT", "COERCE", "SANCTION", "PROTEST", "MOBILIZE"}

# Hyphenated verbs the tokenizer would split (the small model then tags "fired" as an adjective).
HYPHENATED_VERBS = {
    "test-fire": ("test-fire", "test-fires", "test-fired", "test-firing"),
    "air-drop": ("air-drop", "air-drops", "air-dropped", "air-dropping"),
}

# Nouns naming a place where an event happens, for locations that are not named entities.
PLACE_NOUNS = set(
    "border frontier city town village capital province region district area zone camp base port airport "
    "embassy consulate square street streets building headquarters office offices palace parliament court "
    "prison jail hospital school university mosque church temple market island peninsula coast "
    "compound checkpoint crossing bridge hotel airbase settlement settlements".split())
