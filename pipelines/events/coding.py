"""Actor codes the way event-data users aggregate them: a country (ISO 3166 alpha-3, None for international
bodies) and a sector (PLOVER/CAMEO-style symbols, SECTOR_CODES) for one mention, from its own words: role
nouns and titles, organisation names, well-known office holders, country names, demonyms and capitals."""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from pipelines.events.countries import country_of, find_countries, is_seat_of_government

# The sector symbols an Actor may carry (schemas/event.avsc documents the same list).
SECTOR_CODES = {
    "GOV": "government: heads of state, ministers, officials, diplomats, a capital standing for its state",
    "MIL": "military: armed forces, troops, soldiers, militias, weapons platforms",
    "REB": "rebels, insurgents, guerrillas, armed non-state groups",
    "UAF": "unidentified armed forces: an attack whose author is not named",
    "OPP": "political opposition, dissidents, activists",
    "PTY": "political parties",
    "COP": "police and internal security forces",
    "JUD": "courts, judges, prosecutors",
    "LEG": "parliaments, legislatures, lawmakers",
    "CVL": "civilians: people, residents, protesters, workers",
    "REF": "refugees and displaced people",
    "BUS": "business: companies, firms, banks, investors",
    "JRN": "journalists and news media",
    "MED": "medical and health workers, hospitals, the Red Cross and Red Crescent",
    "EDU": "education: students, teachers, universities",
    "REL": "religious leaders and bodies",
    "LAB": "labour unions",
    "CRM": "criminals",
    "AGR": "farmers and agriculture",
    "IGO": "intergovernmental organisations (country is None)",
    "NGO": "non-governmental organisations",
}

# Role nouns and titles -> sector: our own list of the words news uses for kinds of actors.
_ROLE_WORDS = {
    "GOV": "president presidents premier minister ministers ministry ministries government governments cabinet "
           "official officials administration authorities authority spokesman spokeswoman spokesperson "
           "diplomat diplomats ambassador ambassadors embassy envoy envoys regime king queen emir sultan monarch "
           "chancellor governor governors mayor secretary state-department rulers ruler prime-minister "
           "vice-president secretary-general adviser advisers advisor commission council committee "
           "negotiators delegation delegations counterpart consulate foreign-ministry junta dictator "
           "leader leaders leadership state-media mediator prince crown-prince sheikh",
    "MIL": "army armies military militaries troops soldier soldiers forces navy marines commander commanders "
           "general generals officer officers air-force warplanes jets helicopters helicopter tanks tank "
           "militia militias militiamen paratroopers peacekeepers peacekeeping-force artillery gunboats "
           "gunboat warships warship fighter-jets defence-ministry defense-ministry pentagon battalion brigade "
           "airstrikes air-strikes air-raids raids drones drone predator",
    "COP": "police policeman policemen policewoman gendarmes gendarmerie security-forces riot-police "
           "border-guards guards",
    "REB": "rebels rebel insurgents insurgent guerrillas guerillas guerrilla guerilla militants militant "
           "separatists separatist fighters gunmen extremists terrorists terrorist jihadists terror",
    "OPP": "opposition dissidents dissident activists activist",
    "PTY": "party",
    "JUD": "court courts judge judges prosecutor prosecutors tribunal judiciary jurists lawyers attorney",
    "LEG": "parliament parliaments lawmakers legislature legislators congress senate senators senator "
           "deputies mps assembly congressman congressmen",
    "CVL": "civilians civilian residents villagers people citizens demonstrators protesters protestors "
           "crowd crowds thousands hundreds dozens millions youths women children families pilgrims "
           "hostages nationals workers population inhabitants voters",
    "AGR": "farmers farmer peasants herders growers",
    "REF": "refugees refugee displaced asylum-seekers",
    "BUS": "company companies businessman businessmen businesswoman firm firms corporation corporations bank "
           "banks investors industry manufacturer airline traders",
    "JRN": "newspaper newspapers media reporters reporter journalists journalist television radio press "
           "news-agency broadcaster daily",
    "MED": "doctors doctor nurses hospital hospitals physicians medics",
    "EDU": "students student teachers teacher university universities school schools professors academics",
    "REL": "church clerics cleric bishop bishops priest priests imam imams pope rabbi monks",
    "LAB": "union unions trade-union strikers",
    "CRM": "criminals smugglers traffickers gang gangs pirates kidnappers",
    "IGO": "un u.n. united-nations nato eu imf unhcr osce iaea",
    "NGO": "ngo ngos charity charities",
}
ROLE_SECTORS = {word: sector for sector, words in _ROLE_WORDS.items() for word in words.split()}
# Heads that name a member or spokesman of something else: the sector of what they lead wins ("rebel
# leaders" REB, "army officials" MIL, "opposition spokesman" OPP).
_GENERIC_HEADS = set("leader leaders official officials spokesman spokeswoman spokesperson chief chiefs head "
                     "member members group groups representative representatives commander commanders "
                     "supporters delegation source sources movement faction side".split())
# An attack standing as the actor: a state's attacks are its military's, an unclaimed one is UAF.
ATTACK_NOUNS = set("attack attacks bombing bombings explosion explosions blast blasts ambush ambushes shelling "
                   "bombardment".split())
# Words attaching a phrase that places or affiliates the actor.
_ATTACHING_WORDS = {"of", "from", "in", "at", "near", "based", "for", "with"}
# Modifiers that make a newspaper, radio or agency the state's voice.
_STATE_OWNED = {"official", "state", "state-run", "state-owned", "government", "government-run", "state-controlled"}
# Body words ending a mention of an organisation ("the UN refugee agency"): the organisation's sector
# stands, not the word's.
_NAME_WORDS = {"union", "party", "front", "army", "church", "university", "court", "parliament", "council",
               "ministry", "commission", "agency", "bank", "company", "corporation", "newspaper", "radio",
               "television", "police"}

# Organisations: name -> (country, sector). Our own list of bodies that news names without a country word.
_ORGANISATIONS = """
|IGO|united nations;un;u.n.;security council;general assembly;unhcr;un refugee agency;unicef;unesco;wfp;
|IGO|world food program;world food programme;world health organization;who;iaea;imf;world bank;wto;nato;
|IGO|european union;eu;european community;ec;european commission;osce;organization of african unity;oau;
|IGO|african union;au;arab league;league of arab states;asean;opec;ecowas;sadc;interpol;commonwealth;
|IGO|council of europe;gulf cooperation council;gcc;organization of american states;oas;unifil;unprofor;
|IGO|international criminal court;icc;international court of justice;icj;g7;g8;g20;un security council
|MED|red cross;red crescent;icrc;doctors without borders;medecins sans frontieres;msf
|NGO|amnesty international;amnesty;human rights watch;greenpeace;oxfam;save the children;transparency international
|REB|al-qaeda;al qaeda;al-qaida;isis;islamic state;isil;boko haram;al-shabab;al-shabaab
PSE|REB|hamas;islamic jihad;al-aqsa martyrs brigades
PSE|GOV|plo;palestine liberation organization;palestinian authority;fatah
LBN|REB|hezbollah;hizbollah;hizbullah;amal
TUR|REB|pkk;kurdistan workers' party;kurdistan workers party
AGO|REB|unita;national union for the total independence of angola
AGO|GOV|mpla
AFG|REB|taliban;mujahideen;mujahedeen;northern alliance
LKA|REB|tamil tigers;ltte;liberation tigers of tamil eelam
COL|REB|farc;eln
KHM|REB|khmer rouge
GBR|REB|ira;irish republican army
ESP|REB|eta
MOZ|REB|renamo
MOZ|GOV|frelimo
RWA|PTY|rwandan patriotic front;rpf
ZAF|PTY|anc;african national congress
ZWE|PTY|zanu-pf;zanu;mdc
PER|REB|shining path;sendero luminoso
NIC|REB|contras
SLV|REB|fmln
SDN|REB|spla;sudan people's liberation army;janjaweed
UGA|REB|lord's resistance army;lra
PHL|REB|abu sayyaf;moro islamic liberation front;milf;new people's army
MAR|REB|polisario;polisario front
GBR|JRN|reuters;bbc
USA|JRN|associated press;ap;cnn;new york times;washington post
FRA|JRN|afp;agence france-presse
CHN|JRN|xinhua;people's daily
RUS|JRN|tass;itar-tass;interfax;ria novosti
PRK|JRN|kcna;korean central news agency
KOR|JRN|yonhap
JPN|JRN|kyodo
IRN|JRN|irna
QAT|JRN|al jazeera
USA|GOV|cia;fbi;congress;senate;state department;pentagon;white house
USA|LEG|house of representatives
USA|MIL|marines;us army;us navy
RUS|GOV|kremlin;kgb;duma
ISR|LEG|knesset
ISR|MIL|idf;israel defense forces
"""


def _clean(word: str) -> str:
    """Lowercase, without surrounding quotes and brackets, a possessive, or a sentence's full stop
    ("U.N." keeps its dots)."""
    word = word.lower().strip(",'\"()`")
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith(".") and word.count(".") == 1:
        word = word[:-1]
    return word


def _organisations() -> dict[tuple[str, ...], tuple[str | None, str]]:
    table = {}
    for line in _ORGANISATIONS.strip().splitlines():
        country, sector, names = line.split("|")
        for name in names.strip(";").split(";"):
            table[tuple(_clean(w) for w in name.split())] = (country or None, sector)
    return table


ORGANISATIONS = _organisations()
# Acronyms and short names that are also English words: only matched as written in capitals.
_UPPER_ONLY = {("ap",), ("who",), ("au",), ("ec",), ("eta",), ("amal",), ("eln",), ("mdc",), ("icc",), ("oas",),
               ("un",), ("eu",), ("ira",), ("milf",), ("gcc",)}

# Office holders news often names without their country: surname (or full name) -> ISO3, all GOV.
# Our own list of heads of state and government and foreign ministers, 1980 onwards, with surnames
# that point to one person in international news.
_OFFICE_HOLDERS = """
USA|reagan;bush;clinton;obama;trump;biden;carter;shultz;baker;albright;powell;rice;kerry;tillerson;pompeo;blinken;cheney;rumsfeld;gore
RUS|gorbachev;yeltsin;putin;medvedev;lavrov;primakov;kozyrev;shevardnadze;chernomyrdin
GBR|thatcher;major;blair;cameron;johnson;sunak;hurd;straw;howe
FRA|mitterrand;chirac;sarkozy;hollande;macron;juppe;balladur;jospin;villepin
DEU|kohl;schroeder;schröder;merkel;scholz;genscher;fischer;steinmeier
CHN|deng xiaoping;jiang zemin;hu jintao;xi jinping;li peng;zhu rongji;wen jiabao;li keqiang;qian qichen
JPN|nakasone;takeshita;kaifu;miyazawa;hosokawa;hashimoto;obuchi;mori;koizumi;abe;kishida;murayama
ISR|shamir;peres;rabin;netanyahu;barak;sharon;olmert;bennett;begin
PSE|arafat;abbas;qurei;haniyeh
EGY|mubarak;sadat;morsi;sisi;moussa
SYR|assad
IRQ|saddam;saddam hussein;tariq aziz;maliki;allawi;talabani
IRN|khomeini;khamenei;rafsanjani;khatami;ahmadinejad;rouhani;raisi;velayati;zarif
LBY|gaddafi;qaddafi;kadhafi;khadafy;qadhafi
JOR|king hussein;king abdullah
SAU|king fahd;king abdullah;king salman
CUB|castro
VEN|chavez;chávez;maduro
ZWE|mugabe;mnangagwa;tsvangirai
ZAF|mandela;de klerk;mbeki;zuma;ramaphosa;botha
RWA|kagame;habyarimana
UGA|museveni;amin;obote
KEN|moi;kibaki;kenyatta;odinga;ruto
DZA|bouteflicka;chadli;zeroual;tebboune
NGA|obasanjo;babangida;abacha;buhari;jonathan;yar'adua;tinubu
COD|mobutu;kabila;tshisekedi
AGO|dos santos;lourenco
SDN|bashir;al-bashir;nimeiri
ETH|mengistu;meles;zenawi;abiy
SOM|siad barre
LBR|taylor;doe;sirleaf
SRB|milosevic;milošević;vucic;vučić;kostunica
HRV|tudjman;tuđman
BIH|izetbegovic
PAK|bhutto;zia;sharif;musharraf;zardari;khan
IND|gandhi;rao;vajpayee;singh;modi
AFG|najibullah;karzai;ghani;rabbani
TUR|ozal;özal;demirel;ciller;çiller;ecevit;erdogan;erdoğan;gul;davutoglu
PRK|kim il-sung;kim jong-il;kim jong il;kim jong-un;kim jong un
KOR|roh tae-woo;kim young-sam;kim dae-jung;roh moo-hyun;lee myung-bak;park geun-hye;moon jae-in;yoon suk-yeol
PHL|marcos;aquino;ramos;estrada;arroyo;duterte
IDN|suharto;habibie;wahid;megawati;yudhoyono;widodo;jokowi;alatas
UKR|kravchuk;kuchma;yushchenko;yanukovych;poroshenko;zelensky;zelenskyy
BLR|lukashenko
POL|jaruzelski;walesa;wałęsa;kwasniewski;kaczynski;tusk;duda
CZE|havel;klaus
HUN|orban;orbán
ITA|andreotti;craxi;berlusconi;prodi;renzi;meloni
ESP|gonzalez;aznar;zapatero;rajoy;sanchez
CAN|mulroney;chretien;chrétien;harper;trudeau
AUS|hawke;keating;howard;rudd;gillard;abbott;turnbull;morrison;albanese
MEX|salinas;zedillo;fox;calderon;pena nieto;lopez obrador
BRA|collor;cardoso;lula;rousseff;bolsonaro
ARG|alfonsin;menem;kirchner;macri;milei
CHL|pinochet;aylwin;bachelet;pinera
PER|fujimori;garcia;toledo
COL|uribe;santos;petro
NIC|ortega;chamorro
PAN|noriega
HTI|aristide;preval;duvalier
MMR|suu kyi;than shwe
KHM|hun sen;sihanouk
VNM|nguyen van linh
THA|thaksin;shinawatra;prayuth
LKA|premadasa;kumaratunga;rajapaksa
SRB|karadzic;mladic
"""


def _office_holders() -> dict[tuple[str, ...], str]:
    table = {}
    for line in _OFFICE_HOLDERS.strip().splitlines():
        country, names = line.split("|")
        for name in names.split(";"):
            table[tuple(name.replace("-", " - ").split())] = country
    return table


OFFICE_HOLDERS = _office_holders()
# Titles that make the person after them an office holder of that sector.
PERSON_TITLES = {"president": "GOV", "premier": "GOV", "minister": "GOV", "chancellor": "GOV", "king": "GOV",
                 "queen": "GOV", "emir": "GOV", "sheikh": "GOV", "prince": "GOV", "governor": "GOV",
                 "mayor": "GOV", "secretary": "GOV", "ambassador": "GOV", "envoy": "GOV", "vice-president": "GOV",
                 "senator": "LEG", "congressman": "LEG", "rep.": "LEG", "general": "MIL", "gen.": "MIL",
                 "colonel": "MIL", "col.": "MIL", "admiral": "MIL", "lt.": "MIL", "major": "MIL", "judge": "JUD",
                 "justice": "JUD", "pope": "REL", "ayatollah": "REL", "cardinal": "REL", "archbishop": "REL",
                 "bishop": "REL", "rev.": "REL", "imam": "REL", "rabbi": "REL", "dr.": None, "leader": "GOV",
                 "dictator": "GOV", "spokesman": "GOV", "spokeswoman": "GOV"}


@dataclass(frozen=True)
class Codes:
    """The codes of one mention; either may be None."""

    country: str | None = None
    sector: str | None = None

    def merged(self, other: Codes) -> Codes:
        """These codes, with what is missing taken from `other`."""
        return Codes(self.country or other.country, self.sector or other.sector)


def organisation_in(words: list[str]) -> tuple[str | None, str] | None:
    """(country, sector) of the first organisation the words name, longest name first. A country word
    before an international body's name makes it that country's own ("US National Security Council")."""
    lowered = [_clean(w) for w in words]
    for i in range(len(lowered)):
        for size in range(min(8, len(lowered) - i), 0, -1):
            key = tuple(lowered[i:i + size])
            if key in ORGANISATIONS and (key not in _UPPER_ONLY or words[i].isupper()):
                country, sector = ORGANISATIONS[key]
                before = country_of(" ".join(words[:i]), generated_names=False) if i else None
                if sector == "IGO" and before is not None:
                    return before, "GOV"
                return country, sector
    return None


def office_holder_country(words: list[str]) -> str | None:
    """ISO3 of a well-known office holder named by the words ("Putin", "Kim Jong-un"), capitalized as names."""
    lowered = [_clean(w) for w in " ".join(words).replace("-", " - ").split()]
    raw = " ".join(words).replace("-", " - ").split()
    for i in range(len(lowered)):
        for size in range(min(4, len(lowered) - i), 0, -1):
            key = tuple(lowered[i:i + size])
            if key in OFFICE_HOLDERS and raw[i][:1].isupper():
                return OFFICE_HOLDERS[key]
    return None


def sector_of_words(words: list[str]) -> str | None:
    """The sector the words of a mention state, its head being the last word: a specific head noun gives
    it ("Iraqi civilians" CVL); a generic head ("leaders", "officials") takes its modifier's ("rebel leaders"
    REB); compounds such as "security forces" and "prime minister" count as one word."""
    # a possessor is another party ("a farmer's cat"), not what the mention is
    lowered = [_clean(w) for i, w in enumerate(words) if _clean(w) and not (
        i < len(words) - 1 and w.lower().endswith(("'s", "\u2019s")))]
    found: list[str] = []
    i = len(lowered) - 1
    while i >= 0:
        pair = "-".join(lowered[i - 1:i + 1]) if i > 0 else ""
        if pair in ROLE_SECTORS:
            found.append(ROLE_SECTORS[pair])
            i -= 2
            continue
        if lowered[i] in ROLE_SECTORS:
            found.append(ROLE_SECTORS[lowered[i]])
        i -= 1
    if not found:
        return None
    head = lowered[-1] if lowered else ""
    if found[0] == "JRN" and _STATE_OWNED & set(lowered[:-1]):
        return "GOV"
    if head in _GENERIC_HEADS and len(found) > 1:
        specific = [s for s in found[1:] if s != "GOV"]
        if specific:
            return specific[0]
    return found[0]


def code_words(text: str) -> Codes:
    """Codes from the text of a mention alone (no parse): organisations, office holders, role nouns,
    countries. A capital or country name standing alone is the state: a capital is its government."""
    words = text.split()
    if not words:
        return Codes()
    organisation = organisation_in(words)
    country = country_of(text, generated_names=False)
    sector = sector_of_words(words)
    if organisation is not None:
        org_country, org_sector = organisation
        name_sector = sector if sector and _clean(words[-1]) not in _NAME_WORDS else None
        return Codes(org_country or (country if org_sector != "IGO" else None), name_sector or org_sector)
    holder = office_holder_country(words)
    if holder is not None and (country is None or not _names_country_first(text)):
        return Codes(holder, sector or "GOV")
    if sector is None and country is not None and is_seat_of_government(text):
        sector = "GOV"
    if sector is None and _clean(words[-1]) in ATTACK_NOUNS:
        sector = "MIL" if country else "UAF"
    return Codes(country, sector)


def _names_country_first(text: str) -> bool:
    """True when the mention opens with a country word ("Russian President Vladimir Putin")."""
    found = find_countries(text, generated_names=False)
    return bool(found) and found[0][0] == 0


def code_mention(text: str, head: Token | None = None) -> Codes:
    """Codes of a mention, using the parse where there is one: generated place names (cities, provinces)
    count only where the parser sees a place, a title before a person's name gives its sector ("President
    Bouteflicka" GOV, "General Aoun" MIL), and an apposition adds what the mention lacks ("Qatar's emir,
    Sheikh Hamad")."""
    codes = code_words(text)
    if head is None:
        return codes
    name = next((e for e in head.doc.ents if e.start <= head.i < e.end), None) if head.ent_type_ == "ORG" \
        else None
    if name is not None and name.text != text and organisation_in(name.text.split()) is not None:
        # the mention cut a longer organisation name short ("National Union" of "National Union for the
        # Total Independence of Angola")
        codes = code_words(name.text).merged(codes)
    span = _span_of(text, head)
    if span is not None:
        if codes.country is None:
            places = " ".join(t.text for t in span if t.ent_type_ in ("GPE", "LOC", "FAC"))
            codes = Codes(country_of(places) if places else None, codes.sector)
        if codes.sector is None:
            codes = Codes(codes.country, _title_sector(span))
    for other in _appositions(head):
        codes = codes.merged(code_words(phrase_words(other)))
    if codes.country is None or codes.sector is None:
        codes = codes.merged(_attached_codes(head))
    return codes


def _attached_codes(head: Token) -> Codes:
    """Codes from the phrases attached to a mention's head ("a mission of observers from the OSCE", "a
    group based in Trinidad"): the organisation or country they name."""
    found = Codes()
    for prep in head.children:
        if prep.dep_ in ("prep", "acl") and prep.lower_ in _ATTACHING_WORDS:
            for obj in prep.subtree:
                if obj.dep_ == "pobj":
                    words = phrase_words(obj)
                    organisation = organisation_in(words.split())
                    places = " ".join(t.text for t in obj.subtree if t.ent_type_ in ("GPE", "LOC", "NORP"))
                    country = country_of(words, generated_names=False) or (country_of(places) if places else None)
                    found = found.merged(Codes(organisation[0] if organisation else country,
                                               organisation[1] if organisation else None))
    return found


def _span_of(text: str, head: Token) -> Span | None:
    """The span of the mention's text that holds its head (the last occurrence starting before the head)."""
    doc = head.doc
    window = doc[max(0, head.i - 40):min(len(doc), head.i + 40)]  # Doc.text joins every token: stay local
    window_text, offset = window.text, window.start_char
    at = head.idx - offset
    start = window_text.find(text)
    while start >= 0 and start + len(text) <= at:
        start = window_text.find(text, start + 1)
    if start < 0:
        return None
    return doc.char_span(offset + start, offset + start + len(text), alignment_mode="expand")


def _title_sector(span: Span) -> str | None:
    """The sector of a title directly before a person's name ("President", "Gen.", "Pope")."""
    for token in span:
        following = token.nbor(1) if token.i + 1 < len(token.doc) else None
        if token.lower_ in PERSON_TITLES and following is not None and following.ent_type_ == "PERSON" and \
                following.text != "-" and (token.i == 0 or token.nbor(-1).text != "-"):
            return PERSON_TITLES[token.lower_]
    return None


def _appositions(head: Token) -> list[Token]:
    """Nouns in apposition to the head, either way ("Sheikh Hamad" <-> "Qatar's emir")."""
    found = [c for c in head.children if c.dep_ == "appos"]
    if head.dep_ == "appos":
        found.append(head.head)
    return found


def phrase_words(token: Token) -> str:
    """The words of a token's noun phrase up to and including it ("Qatar's emir")."""
    left = token.left_edge.i
    return token.doc[left:token.i + 1].text
