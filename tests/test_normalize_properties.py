"""Normalize on arbitrary input (hypothesis): never raises, is idempotent, never invents text."""
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.records import RawArticle, RejectedInput
from pipelines.text.cleaning import repair_text
from pipelines.text.normalize import Normalizer

NORMALIZER = Normalizer(clock=lambda: datetime(2026, 11, 27, tzinfo=timezone.utc))
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

decoded_bytes = st.one_of(
    st.binary(max_size=300).map(lambda b: b.decode("utf-8", "replace")),
    st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.binary(max_size=300).map(lambda b: b.decode("cp1252", "replace")),
)
# Text that hits the repair paths: mojibake, entities, invisible characters, quotes, wire markers.
messy_fragments = st.sampled_from([
    "itâ€™s", "cafÃ©", "Â£5", "&amp;", "&amp;amp;", "&#8217;", "&nbsp;", "&lt;b&gt;", "\u200b", "\u200d", "\u00ad",
    "\ufb01", "\uff21", "\u201c", "\u201d", "\u2019", "\t", "  ", "\x00", "\x85", "\u2028", "e\u0301",
    "SEOUL (Yonhap) -- ", " (Yonhap)", "(AP)", ". (Reuters)", "NEW YORK -- ", "\n", "\r\n", "word", "Word.",
])
messy_text = st.one_of(
    st.text(max_size=300),
    decoded_bytes,
    st.lists(st.one_of(messy_fragments, st.text(max_size=8)), max_size=40).map("".join),
)
optional_text = st.one_of(st.none(), st.text(max_size=40), messy_text)


def normalize_or_none(fields: dict) -> dict | None:
    """The article, or None when it is (correctly) rejected as empty; any other exception fails the test."""
    try:
        return NORMALIZER(RawArticle(fields=fields, original=b""))
    except RejectedInput as e:
        assert e.code == "empty_text"
        return None


def message(text, title=None, url=None, published_at=None, language=None) -> dict:
    fields = {"text": text, "title": title, "url": url, "published_at": published_at, "language": language}
    return {k: v for k, v in fields.items() if v is not None}


@PROPERTY_SETTINGS
@given(text=messy_text, title=optional_text, url=optional_text, published_at=optional_text, language=optional_text)
def test_never_raises_on_arbitrary_text(text, title, url, published_at, language):
    article = normalize_or_none(message(text, title, url, published_at, language))
    if article is not None:
        assert article["paragraphs"] and all(p["text"] for p in article["paragraphs"])
        assert all("\n" not in p["text"] and p["text"] == p["text"].strip() for p in article["paragraphs"])
        "".join(p["text"] for p in article["paragraphs"]).encode("utf-8")  # writable as Avro strings


@PROPERTY_SETTINGS
@given(html=messy_text)
def test_never_raises_on_arbitrary_html(html):
    normalize_or_none({"html": html})


@PROPERTY_SETTINGS
@given(text=messy_text, title=optional_text, url=optional_text, published_at=optional_text)
def test_normalizing_the_output_again_changes_nothing(text, title, url, published_at):
    first = normalize_or_none(message(text, title, url, published_at))
    if first is None:
        return
    again = message(
        "\n".join(p["text"] for p in first["paragraphs"]),
        first["title"],
        first["url"],
        None if first["published_at"] is None
        else datetime.fromtimestamp(first["published_at"] / 1000, timezone.utc).isoformat(),
        first["language"],
    )
    second = normalize_or_none(again)
    assert second is not None
    assert [p["text"] for p in second["paragraphs"]] == [p["text"] for p in first["paragraphs"]]
    for field in ("article_id", "url", "title", "published_at", "language"):
        assert second[field] == first[field], field
    assert second["dateline"] is None and second["credits"] == []


@PROPERTY_SETTINGS
@given(text=messy_text)
def test_never_invents_text(text):
    article = normalize_or_none({"text": text})
    if article is None:
        return
    lines = [repair_text(line) for line in text.splitlines() if line.strip()]
    for paragraph in article["paragraphs"]:
        source = lines[paragraph["index"]]
        for word in paragraph["text"].split():
            assert word in source, (word, source)
    everything = "\n".join(lines)
    for moved in article["credits"] + ([article["dateline"]] if article["dateline"] else []):
        assert all(word in everything for word in moved.split())


html_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,'", min_size=1,
                     max_size=10)
html_tags = st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<br>", "<b>", "</b>", "<li>", "<h1>", "</h1>",
                             "<script>var x;</script>", "<nav>", "</nav>", "<td>", "<article>", "</article>"])


@PROPERTY_SETTINGS
@given(parts=st.lists(st.one_of(html_words, html_tags), min_size=1, max_size=60))
def test_html_output_words_all_come_from_the_page_and_renormalize_unchanged(parts):
    page = " ".join(parts)
    article = normalize_or_none({"html": page})
    if article is None:
        return
    page_words = set(page.split())
    for paragraph in article["paragraphs"]:
        for word in paragraph["text"].split():
            assert word in page_words, word
    as_text = normalize_or_none({"text": "\n".join(p["text"] for p in article["paragraphs"])})
    assert [p["text"] for p in as_text["paragraphs"]] == [p["text"] for p in article["paragraphs"]]
