"""Article bodies from whole pages: one page of our own for each way the body used to come out wrong."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.records import RawArticle
from pipelines.text.cleaning import repair_text
from pipelines.text.html import PARSER_MAX_DEPTH, HtmlExtractor
from pipelines.text.normalize import Normalizer
from pipelines.text.titles import title_without_site_name
from pipelines.text.wire import strip_credits

PAGES = Path(__file__).parent / "normalize_corpus" / "pages"
NEWS_PARAGRAPH = ("The harbour authority reopened the north quay on Monday after three weeks of repairs to the "
                  "sea wall, and the first fishing boats landed their catch there the same afternoon.")


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def body(html: str) -> list[str]:
    return HtmlExtractor().extract(html).paragraphs


def test_body_inside_a_page_wide_form_is_kept():
    paragraphs = body(page("aspnet_form.html"))
    assert paragraphs[0] == "Council approves new library hours"
    assert paragraphs[-1].startswith("Councillor Maria Obi said the vote was unanimous")
    assert len(paragraphs) == 5
    assert not any(p in {"Search", "Home Services Contact"} for p in paragraphs)


def test_small_form_is_still_skipped():
    html = (f"<html><body><article><p>{NEWS_PARAGRAPH}</p></article>"
            "<form><label>Your email</label><input name='e'><p>Sign up for our newsletter</p></form></body></html>")
    assert body(html) == [NEWS_PARAGRAPH]


def menu_page() -> str:
    """A council notice under a mega-menu of 300 links: trafilatura (fast or not) returns the whole page."""
    departments = ["Planning", "Parks", "Roads", "Waste", "Housing", "Libraries", "Schools", "Licensing",
                   "Council tax", "Elections", "Cemeteries", "Markets", "Parking", "Leisure", "Museums",
                   "Social care", "Trading standards", "Environmental health", "Building control", "Registrars"]
    topics = ["Apply", "Pay", "Report", "Contact", "Opening hours", "Forms", "Fees", "Guidance", "Consultations",
              "News", "Maps", "Events", "Jobs", "Complaints", "Volunteering"]
    items = "".join(f'<li><a href="/{d}/{t}">{d}: {t}</a></li>' for d in departments for t in topics)
    return ("<html><head><title>Bin collections move to Tuesday</title></head><body>"
            f"<div id='megamenu'><ul>{items}</ul></div><div id='notice'><h2>Bin collections move to Tuesday</h2>"
            "<p>From next week, bins in the northern wards will be emptied on Tuesdays instead of Mondays.</p>"
            "</div></body></html>")


def test_whole_page_fallback_drops_hundreds_of_menu_items():
    assert body(menu_page()) == [
        "Bin collections move to Tuesday",
        "From next week, bins in the northern wards will be emptied on Tuesdays instead of Mondays.",
    ]


def test_body_that_is_a_table_is_kept_row_by_row():
    paragraphs = body(page("results_table.html"))
    assert "Place Runner Club Time" in paragraphs
    assert "1 Hannah Lindqvist Millbrook Harriers 21:04" in paragraphs
    assert paragraphs[-1] == "8 Marta Zielinska Millbrook Harriers 22:40"
    assert "Home" not in paragraphs


def test_short_navigation_share_and_tag_items_are_dropped_even_when_their_words_are_in_the_article():
    paragraphs = body(page("short_items.html"))
    assert paragraphs == [
        "Harbour town opens its first home for rescued seals",
        "Volunteers in the harbour town opened a small home for rescued seals on Saturday, in a converted boat "
        "shed next to the lifeboat station.",
        "The shed has three pools and room for up to twelve pups, which are found stranded on the beaches each "
        "winter after storms.",
        "The group raised the money through a campaign on Facebook, Twitter and local radio that drew donations "
        "from as far away as Canada, its chairman said.",
        "Pups will stay for about two months before they are strong enough to be released back at the news of a "
        "calm sea, the volunteers said.",
    ]


def test_body_held_twice_in_the_page_is_kept_once():
    paragraphs = body(page("body_twice.html"))
    assert len(paragraphs) == 4
    assert len(set(paragraphs)) == 4
    assert paragraphs[1].startswith("A national rail strike planned for Monday")


def test_trafilaturas_own_lines_when_the_walk_finds_no_block():
    paragraphs = body(page("body_in_header.html"))
    assert any(p.startswith("The ferry service to the island will run twice a day") for p in paragraphs)
    assert any(p.startswith("The first boat will now leave the mainland at seven") for p in paragraphs)


def test_page_of_navigation_only_yields_nothing():
    assert body(page("only_boilerplate.html")) == []


@pytest.mark.parametrize("depth", [300, PARSER_MAX_DEPTH - 10])
def test_page_nested_deeper_than_the_parser_default_keeps_its_text(depth):
    html = "<html><body>" + "<div>" * depth + f"<p>{NEWS_PARAGRAPH}</p>" + "</div>" * depth + "</body></html>"
    article = HtmlExtractor().extract(html)
    assert article.paragraphs == [NEWS_PARAGRAPH]
    assert article.warnings == []


def test_page_nested_beyond_the_parser_limit_is_read_as_a_stream_with_a_warning():
    depth = PARSER_MAX_DEPTH * 2
    html = ("<html><body><nav>Menu</nav>" + "<div>" * depth + f"<p>{NEWS_PARAGRAPH}</p><script>x()</script>"
            + "</div>" * depth + "<p>Second paragraph after the deep part.</p></body></html>")
    article = Normalizer()(RawArticle({"id": "deep", "html": html}, b""))
    assert [p["text"] for p in article["paragraphs"]] == [NEWS_PARAGRAPH, "Second paragraph after the deep part."]
    assert [w.split(":", 1)[0] for w in article["warnings"]] == ["html_too_deep"]


def test_title_loses_the_site_name_and_the_date_comes_from_the_page():
    article = Normalizer()(RawArticle({"html": page("dated_page.html")}, b""))
    assert article["title"] == "Orchard growers expect a late harvest"
    assert article["published_at"] == 1756790100000  # 2025-09-02T05:15:00Z
    assert article["paragraphs"][0]["text"].startswith("Apple growers in the valley")


def test_title_equal_to_the_page_heading_is_kept_whole():
    article = Normalizer()(RawArticle({"html": page("short_items.html")}, b""))
    assert article["title"] == "Harbour town opens its first home for rescued seals"
    assert article["paragraphs"][0]["text"].startswith("Volunteers in the harbour town")


@pytest.mark.parametrize(("title", "site", "url", "expected"), [
    ("Storm closes the port | Example News", None, None, "Storm closes the port"),
    ("Example News | Storm closes the port", None, None, "Storm closes the port"),
    ("Storm closes the port - Example News", "Example News", None, "Storm closes the port"),
    ("Storm closes the port – Coastline", None, "https://www.coastline.example/news/1", "Storm closes the port"),
    ("Ten ways to sleep better | Health | The Wellness Blog", None, None, "Ten ways to sleep better"),
    ("US - China talks resume in Geneva", None, None, "US - China talks resume in Geneva"),
    ("Storm closes the port", "Example News", None, "Storm closes the port"),
])
def test_site_names_leave_titles(title, site, url, expected):
    assert title_without_site_name(title, site, url, []) == expected


@pytest.mark.parametrize("text", ["Talks resume on Monday. (More)", "Talks resume on Monday. (MORE)",
                                  "The bridge reopened. (Photo)", "Prices rose again. (Continued)"])
def test_jump_and_media_notes_are_not_wire_credits(text):
    assert strip_credits(text) == ([], text)


def test_wire_names_are_still_credits():
    assert strip_credits("Talks resume on Monday. (Yonhap)") == (["Yonhap"], "Talks resume on Monday.")


@pytest.mark.parametrize("text", [
    "\ufdf2 \u0627\u0644\u0644\u0647",  # the Allah ligature beside the word spelt out
    "\ufefb\ufef5",  # lam-alef presentation forms
    "\u0677\u0648",  # Kazakh U with hamza above
    "\u0e17\u0e33\u0e07\u0e32\u0e19",  # Thai "to work", with sara am
    "\u05e9\u05dc\u05d5\u05dd \ufb21",  # Hebrew, and a wide letter from its presentation forms
])
def test_letters_of_scripts_that_need_their_forms_survive_repair(text):
    assert repair_text(text) == text


def test_compatibility_forms_elsewhere_are_still_normalized():
    assert repair_text("\ufb01ne \uff34\uff48\uff45 show, \u0627\u0644\u0639\u0631\u0636 \uff18") == (
        "fine The show, \u0627\u0644\u0639\u0631\u0636 8")
