"""Bad input through Kafka: every message ends as an article or a dead letter with its reason;
nothing crashes a worker and nothing is dropped (read = articles + dead letters)."""
from __future__ import annotations

import json
import random

import pytest
from kafka import KafkaProducer

from pipelines.io.kafka import ensure_topic
from pipelines.io.kafka_config import KafkaConnection
from tests.conftest import run_pipeline

pytestmark = pytest.mark.integration


def obj(**fields) -> bytes:
    return json.dumps(fields).encode()


NESTED = b'{"text": "x", "extra": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
GARBAGE = bytes(random.Random(7).randrange(256) for _ in range(4096))

# name -> (message value, the dead-letter code it must get, or None when it must become an article)
BAD_INPUT: dict[str, tuple[bytes | None, str | None]] = {
    "truncated json": (b'{"id": "t1", "text": "The council met', "invalid_json"),
    "single-quoted json": (b"{'text': 'not json'}", "invalid_json"),
    "trailing garbage": (b'{"text": "a"} and more', "invalid_json"),
    "json array": (b'[{"text": "inside an array"}]', "not_an_object"),
    "json string": (b'"just text"', "not_an_object"),
    "json number": (b"42", "not_an_object"),
    "json null": (b"null", "not_an_object"),
    "empty object": (b"{}", "missing_text"),
    "text is a number": (obj(text=12), "wrong_type"),
    "text is a list": (obj(text=["a", "b"]), "wrong_type"),
    "html is an object": (obj(html={"p": "x"}), "wrong_type"),
    "title is a number": (obj(text="Body.", title=3), "wrong_type"),
    "id is a boolean": (obj(text="Body.", id=True), "wrong_type"),
    "id is an object": (obj(text="Body.", id={"a": 1}), "wrong_type"),
    "id is NaN": (b'{"text": "Body.", "id": NaN}', "wrong_type"),
    "invalid utf-8": (b'{"text": "caf\xe9 au lait"}', "invalid_utf8"),
    "utf-16 encoded": ('{"text": "wide"}'.encode("utf-16"), "invalid_utf8"),
    "raw control bytes in a string": (b'{"text": "bell\x07 and \x01"}', "invalid_json"),
    "10,000-level nesting": (NESTED, "invalid_json"),
    "binary garbage": (GARBAGE, "invalid_utf8"),
    "empty value": (b"", "empty_message"),
    "tombstone (no value)": (None, "empty_message"),
    "whitespace-only text": (obj(text="   \n\t\n \u00a0 \n"), "empty_text"),
    "html that is all script": (obj(html="<html><script>var a = 1;</script><style>p {}</style></html>"),
                                "empty_text"),
    "a single 1 MB paragraph": (obj(text="word " * 200_000), "paragraph_too_long"),
    "3,000 paragraphs": (obj(text="\n".join(f"Line {i}." for i in range(3000))), "too_many_paragraphs"),
    "escaped NUL and control characters": (obj(id="ctl", text="Rain\u0000 fell\u0007 on\u001b the city."), None),
    "lone surrogate escape": (b'{"id": "sur", "text": "half \\ud800 a pair"}', None),
    "byte order mark": (b'\xef\xbb\xbf{"id": "bom", "text": "Starts with a BOM."}', None),
    "punctuation-only text": (obj(id="punct", text="!!! ... ??? ---"), None),
    "emoji-only text": (obj(id="emoji", text="\U0001f600\U0001f525\U0001f4f0"), None),
    "published in the year 9999": (obj(id="y9999", text="From the future.", published_at="9999-12-31T23:59:59Z"),
                                   None),
    "unparseable date": (obj(id="baddate", text="Dated badly.", published_at="the day after tomorrow-ish"), None),
    "duplicate id, first copy": (obj(id="dup", text="First copy of the story."), None),
    "duplicate id, second copy": (obj(id="dup", text="Second copy of the story."), None),
    "unknown extra fields": (obj(id="extra", text="Body.", tags=["a"], score=1.5, nested={"a": [1, 2]}), None),
    "numeric id": (obj(id=123, text="Numbered."), None),
    "html with an external entity": (
        obj(id="xxe", html='<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "http://192.0.2.1/x">]>'
                           "<html><body><p>Local text &x; only.</p></body></html>"), None),
    "1 MB title": (obj(id="longtitle", text="Body.", title="T" * 1_000_000), None),
}


def test_bad_input_kinds_all_accounted_for(broker, topic, tmp_path):
    assert len(BAD_INPUT) >= 30
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 3)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all", max_request_size=8_000_000)
    placed = {}
    for name, (value, _code) in BAD_INPUT.items():
        placed[name] = producer.send(topic, key=name.encode(), value=value).get(timeout=30)
    producer.flush()
    producer.close()
    where = {(m.partition, m.offset): name for name, m in placed.items()}

    outputs, totals = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic,
                                    "--output", str(tmp_path), "--kafka-idle-timeout", "20"])
    outcome = {}
    for record in outputs["articles"]:
        outcome[where[(record["kafka"]["partition"], record["kafka"]["offset"])]] = None
    for record in outputs["dead_letters"]:
        name = where[(record["kafka"]["partition"], record["kafka"]["offset"])]
        assert record["message"], name
        assert record["original"] == (BAD_INPUT[name][0] or b""), name
        outcome[name] = record["error_code"]
    assert outcome == {name: code for name, (_value, code) in BAD_INPUT.items()}
    assert totals["parse.in"] == len(outputs["articles"]) + len(outputs["dead_letters"]) == len(BAD_INPUT)


def test_a_50_mb_message_is_dead_lettered_with_its_bytes(broker, topic, tmp_path):
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 1)
    huge = b'{"id": "huge", "text": "' + b"news " * (10 * 1024 * 1024) + b'"}'
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all", max_request_size=60_000_000)
    producer.send(topic, value=huge).get(timeout=120)
    producer.send(topic, value=obj(id="after", text="The message after the huge one.")).get(timeout=30)
    producer.close()
    outputs, totals = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic,
                                    "--output", str(tmp_path), "--kafka-idle-timeout", "60"])
    [letter] = outputs["dead_letters"]
    assert letter["error_code"] == "message_too_large" and letter["original"] == huge
    assert [a["article_id"] for a in outputs["articles"]] == ["after"]
    assert totals["parse.in"] == 2


# Short news sentences of our own in several languages and scripts (detected, not given).
WORLD_NEWS = {
    "fr": "Le conseil municipal a voté le budget mardi soir après un long débat sur les transports publics.",
    "de": "Der Stadtrat hat am Dienstagabend nach einer langen Debatte über den Nahverkehr den Haushalt beschlossen.",
    "es": "El ayuntamiento aprobó el presupuesto el martes por la noche tras un largo debate sobre el transporte.",
    "it": "Il consiglio comunale ha approvato il bilancio martedì sera dopo un lungo dibattito sui trasporti.",
    "pt": "A câmara municipal aprovou o orçamento na terça-feira à noite depois de um longo debate sobre transportes.",
    "nl": "De gemeenteraad heeft dinsdagavond na een lang debat over het openbaar vervoer de begroting goedgekeurd.",
    "ru": "Городской совет во вторник вечером утвердил бюджет после долгих споров об общественном транспорте.",
    "el": "Το δημοτικό συμβούλιο ενέκρινε τον προϋπολογισμό την Τρίτη το βράδυ μετά από μακρά συζήτηση.",
    "ar": "وافق مجلس المدينة على الميزانية مساء الثلاثاء بعد نقاش طويل حول النقل العام.",
    "tr": "Belediye meclisi salı akşamı toplu taşıma üzerine uzun bir tartışmanın ardından bütçeyi onayladı.",
    "ja": "市議会は火曜日の夜、公共交通機関をめぐる長い議論の末に予算案を可決した。",
    "zh": "市议会周二晚上在就公共交通进行长时间辩论后通过了预算。",
    "ko": "시의회는 화요일 저녁 대중교통에 관한 긴 토론 끝에 예산안을 통과시켰다.",
    "hi": "नगर परिषद ने मंगलवार शाम सार्वजनिक परिवहन पर लंबी बहस के बाद बजट को मंजूरी दे दी।",
}


def test_every_language_becomes_an_article_and_only_english_is_parsed(broker, topic, tmp_path):
    from pipelines.text.language import language_identifier

    known = sorted(set(language_identifier().nb_classes))
    messages = [obj(id=f"detect-{code}", text=text) for code, text in WORLD_NEWS.items()]
    messages += [obj(id=f"tagged-{code}", language=code, text=WORLD_NEWS["fr"]) for code in known]
    messages.append(obj(id="english", text="The council met on Tuesday and agreed the budget."))
    ensure_topic(KafkaConnection(broker.bootstrap_servers), topic, 3)
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers, acks="all")
    for value in messages:
        producer.send(topic, value=value)
    producer.flush()
    producer.close()

    outputs, totals = run_pipeline(["--bootstrap-servers", broker.bootstrap_servers, "--topic", topic,
                                    "--output", str(tmp_path), "--kafka-idle-timeout", "20"])
    languages = {a["article_id"]: a["language"] for a in outputs["articles"]}
    assert totals["parse.in"] == len(messages) == len(outputs["articles"]) and not outputs["dead_letters"]
    assert {code: languages[f"detect-{code}"] for code in WORLD_NEWS} == {code: code for code in WORLD_NEWS}
    assert all(languages[f"tagged-{code}"] == code for code in known)
    assert {e["article_id"] for e in outputs["events"]} <= {"english", "tagged-en"}
    assert any(e["article_id"] == "english" for e in outputs["events"])
    assert totals["events.skipped_language"] == len(messages) - 2
