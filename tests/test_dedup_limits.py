"""What one article may cost the dedup: repeats filed once by their key, a cap on one article's places in
a bucket, a cap on the characters filed; each limit leaves a warning. And numbers compared as values."""
import pytest

from pipelines.text.dedup import (
    BUCKET_CAP_WARNING,
    DEDUP_TRUNCATED,
    apply_matches,
    file_article,
    matches_in_group,
)
from pipelines.text.verify import DedupSettings, near_duplicate_similarity, sketch_paragraphs
from tests import dedup_samples as s

SETTINGS = DedupSettings()
WEEK_MS = 7 * 24 * 3600 * 1000


def dedup(article: dict, settings: DedupSettings = SETTINGS) -> dict:
    """The article as the batch stage writes it: filed, every bucket matched, matches applied."""
    filed = file_article(article, article["published_at"], settings)
    groups: dict[int, list] = {}
    for bucket, entry in filed.entries:
        groups.setdefault(bucket, []).append(entry)
    matches = [m for entries in groups.values() for m in matches_in_group(entries, settings, WEEK_MS)[0]]
    return apply_matches(filed.article, matches)


def test_a_paragraph_repeated_in_its_article_is_filed_once_and_still_removed():
    article = s.article("a", 1000, *[s.RESERVOIR] * 50, s.PUMPING)
    filed = file_article(article, 1000, SETTINGS)
    bands = len(sketch_paragraphs([s.RESERVOIR], SETTINGS)[0][1])
    assert len(filed.entries) == 2 * bands + 49 and filed.limited == 0
    deduped = dedup(article)
    assert [p["index"] for p in deduped["paragraphs"]] == [0, 50]
    assert {r["duplicate_of"]["index"] for r in deduped["removed_paragraphs"]} == {0}
    assert "warnings" not in deduped or deduped["warnings"] == []


def test_one_article_fills_at_most_the_cap_in_any_bucket_with_a_warning():
    settings = DedupSettings(article_bucket_cap=3)
    texts = [f"{s.RESERVOIR} Paragraph number {n} adds one more line." for n in range(10)]
    filed = file_article(s.article("a", 1000, *texts), 1000, settings)
    per_bucket: dict[int, int] = {}
    for bucket, _ in filed.entries:
        per_bucket[bucket] = per_bucket.get(bucket, 0) + 1
    assert max(per_bucket.values()) == 3 and filed.limited > 0
    (warning,) = filed.article["warnings"]
    assert warning.startswith(BUCKET_CAP_WARNING + ":")
    assert file_article(s.article("b", 1000, *texts), 1000, SETTINGS).limited == 0


def test_paragraphs_past_the_size_limit_are_kept_unchecked_with_a_warning():
    settings = DedupSettings(article_max_chars=len(s.RESERVOIR) + len(s.PUMPING))
    article = s.article("a", 1000, s.RESERVOIR, s.PUMPING, s.RESERVOIR, s.WATERING)
    filed = file_article(article, 1000, settings)
    assert {entry.ref.index for _, entry in filed.entries} == {0, 1} and filed.limited == 2
    (warning,) = filed.article["warnings"]
    assert warning.startswith(DEDUP_TRUNCATED + ":") and "2 paragraphs" in warning
    deduped = dedup(article, settings)
    assert len(deduped["paragraphs"]) == 4 and deduped["warnings"] == [warning]
    assert [r["index"] for r in dedup(article)["removed_paragraphs"]] == [2]



def test_an_article_whose_first_paragraph_is_past_the_size_limit_is_kept_whole_with_a_warning():
    settings = DedupSettings(article_max_chars=len(s.RESERVOIR) - 1)
    filed = file_article(s.article("a", 1000, s.RESERVOIR, s.PUMPING), 1000, settings)
    assert filed.entries == [] and filed.limited == 2
    (warning,) = filed.article["warnings"]
    assert warning.startswith(DEDUP_TRUNCATED + ":")

KILLED = ("At least {} people were killed when a bomb exploded at a crowded market in the north of the city "
          "on Monday, police said.")
INFLATION = ("Inflation rose by {} in the year to March, the statistics office said in its monthly report "
             "on Tuesday.")
DISTRICT = ("Voters in district {} will go to the polls again next month after the court annulled the result "
            "of the election.")
DEAL = "The company agreed a {} deal to buy its rival, the largest takeover in the sector for a decade, it said."


def similarity(later: str, earlier: str) -> float | None:
    (later_sketch, _), (earlier_sketch, _) = sketch_paragraphs([later, earlier], SETTINGS)
    return near_duplicate_similarity(later_sketch, earlier_sketch, SETTINGS)


@pytest.mark.parametrize("template, earlier, later", [
    (KILLED, "4", "45"), (KILLED, "45", "4"), (INFLATION, "1 percent", "10 percent"),
    (INFLATION, "10%", "1%"), (DISTRICT, "1", "12"), (DISTRICT, "12", "2")])
def test_a_number_whose_digits_hold_the_others_is_still_another_value(template, earlier, later):
    assert similarity(template.format(later), template.format(earlier)) is None


def test_the_same_values_and_a_figure_split_by_a_typo_still_match():
    assert similarity(KILLED.format("45"), KILLED.format("forty-five").replace("forty-five", "45")) == 1.0
    assert similarity(DEAL.format("$4b0n"), DEAL.format("$40bn")) is not None
    assert similarity(INFLATION.format("1 percent"), INFLATION.format("1%")) == 1.0
