"""The plain dedup decisions: order independence, applying matches, the in-memory index, dev quality."""
import collections
import json
import random
from pathlib import Path

import pytest

from pipelines.records import RawArticle
from pipelines.text.dedup import (
    BucketClusters,
    IndexedParagraph,
    Match,
    ParagraphRef,
    apply_matches,
    index_article,
    matches_in_group,
)
from pipelines.text.lsh import word_drop_keys
from pipelines.text.normalize import normalize_article
from pipelines.text.paragraph_index import ParagraphIndex
from pipelines.text.verify import DedupSettings, near_duplicate_similarity, sketch_paragraphs
from tests import dedup_samples as s

SETTINGS = DedupSettings()
DAY_MS = 24 * 3600 * 1000
DEV = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dedup"


def sample_stream() -> list[dict]:
    return [
        s.article("wire-1", 1000, s.RESERVOIR, s.PUMPING, s.WATERING, s.PUMPING),
        s.article("outlet-1", 2000, s.RESERVOIR_COPY, s.OUTLET_OWN, s.PUMPING_COPY, s.WATERING_COPY),
        s.article("outlet-2", 3000, s.RESERVOIR_UPDATE, s.PUMPING_NEW_NAME, s.FARMERS),
    ]


def arrival_matches(articles: list[dict], retention_ms: int = 7 * DAY_MS,
                    settings: DedupSettings = SETTINGS) -> set[Match]:
    """Files paragraphs one at a time in arrival order, as the bucket state does, and collects every answer."""
    buckets: dict[int, BucketClusters] = {}
    found: set[Match] = set()
    for art in articles:
        for key, entry in index_article(art, art["published_at"], settings):
            bucket = buckets.setdefault(key, BucketClusters((), settings, retention_ms))
            filed = bucket.file(entry)
            found.update(filed.replaced + ([filed.reply] if filed.reply else []))
    return found


def removed(articles: list[dict], matches: set[Match]) -> dict[str, list[tuple[int, str, int]]]:
    result = {}
    for art in articles:
        deduped = apply_matches(art, matches)
        result[art["article_id"]] = [(r["index"], r["duplicate_of"]["article_id"], r["duplicate_of"]["index"])
                                     for r in deduped["removed_paragraphs"]]
    return result


def test_copies_and_repeats_are_removed_fact_updates_kept():
    articles = sample_stream()
    assert removed(articles, arrival_matches(articles)) == {
        "wire-1": [(3, "wire-1", 1)],
        "outlet-1": [(0, "wire-1", 0), (2, "wire-1", 1), (3, "wire-1", 2)],
        "outlet-2": [],
    }


def test_arrival_order_does_not_change_the_outcome():
    articles = sample_stream()
    expected = removed(articles, arrival_matches(articles))
    rng = random.Random(7)
    for _ in range(5):
        shuffled = articles[:]
        rng.shuffle(shuffled)
        assert removed(articles, arrival_matches(shuffled)) == expected


def test_two_paragraphs_never_remove_each_other():
    twins = [s.article("a", 1000, s.PUMPING), s.article("b", 1000, s.PUMPING_COPY)]
    matches = arrival_matches(twins[::-1])
    assert {(m.later.article_id, m.earlier.article_id) for m in matches} == {("b", "a")}


def test_retention_window_bounds_the_comparison():
    articles = [s.article("old", 0, s.RESERVOIR), s.article("new", 3 * DAY_MS, s.RESERVOIR_COPY)]
    assert arrival_matches(articles, retention_ms=2 * DAY_MS) == set()
    assert len(arrival_matches(articles, retention_ms=4 * DAY_MS)) == 1


def test_redelivered_paragraph_is_filed_once_and_not_its_own_duplicate():
    entry = index_article(s.article("a", 1000, s.PUMPING), 1000, SETTINGS)[0][1]
    bucket = BucketClusters((), SETTINGS, DAY_MS)
    bucket.file(entry)
    assert bucket.file(entry) == (None, [], False)
    assert len(bucket.clusters) == 1


def test_apply_matches_keeps_the_record_and_picks_the_earliest_original():
    art = s.article("c", 5000, s.PUMPING_COPY, s.FARMERS)
    later = ParagraphRef(5000, "c", 0)
    matches = [Match(later, ParagraphRef(3000, "b", 2), 0.9), Match(later, ParagraphRef(1000, "a", 1), 0.8)]
    deduped = apply_matches(art, matches)
    assert [p["index"] for p in deduped["paragraphs"]] == [1]
    assert deduped["removed_paragraphs"] == [
        {"index": 0, "duplicate_of": {"article_id": "a", "index": 1}, "similarity": 0.8}]


def test_matches_in_group_equals_filing_in_the_total_order_whatever_the_arrival():
    articles = sample_stream()
    entries = [(key, entry) for art in articles for key, entry in index_article(art, art["published_at"], SETTINGS)]
    by_bucket: dict[int, list[IndexedParagraph]] = collections.defaultdict(list)
    rng = random.Random(3)
    rng.shuffle(entries)
    for key, entry in entries:
        by_bucket[key].append(entry)
    grouped = set()
    for group in by_bucket.values():
        grouped.update(matches_in_group(group, SETTINGS, DAY_MS)[0])
    assert grouped == arrival_matches(articles, DAY_MS)


def bucket_of(*texts: str, start_ms: int = 1000) -> list[IndexedParagraph]:
    """One paragraph per text, one article each, a second apart, as filed in their exact-key bucket."""
    return [index_article(s.article(f"a{i}", start_ms + 1000 * i, text), start_ms + 1000 * i, SETTINGS)[0][1]
            for i, text in enumerate(texts)]


def test_a_copy_is_answered_and_not_stored():
    original, copy = bucket_of(s.PUMPING, s.PUMPING_COPY)
    bucket = BucketClusters((), SETTINGS, DAY_MS)
    assert bucket.file(original).reply is None
    filed = bucket.file(copy)
    assert filed.reply == Match(copy.ref, original.ref, 1.0)
    assert [c.first for c in bucket.clusters] == [original]
    assert bucket.clusters[0].last_ms == copy.ref.order_ms


def test_an_earlier_copy_replaces_the_stored_one():
    original, copy = bucket_of(s.PUMPING, s.PUMPING_COPY)
    bucket = BucketClusters((), SETTINGS, DAY_MS)
    bucket.file(copy)
    filed = bucket.file(original)
    assert filed.reply is None
    assert filed.replaced == [Match(copy.ref, original.ref, 1.0)]
    assert [c.first for c in bucket.clusters] == [original]


def test_exact_copies_cost_no_comparison_and_one_cluster():
    entries = bucket_of(*[s.WATERING] * 500)
    matches, bucket = matches_in_group(entries, SETTINGS, DAY_MS)
    assert bucket.compared == 0
    assert len(bucket.clusters) == 1
    assert {m.earlier for m in matches} == {entries[0].ref}
    assert len(matches) == 499


def test_the_cap_drops_the_least_recently_seen_cluster_and_counts_it():
    capped = DedupSettings(bucket_cap=2)
    reservoir, farmers, outlet, reservoir_copy = bucket_of(s.RESERVOIR, s.FARMERS, s.OUTLET_OWN, s.RESERVOIR_COPY)
    bucket = BucketClusters((), capped, DAY_MS)
    bucket.file(reservoir)
    bucket.file(farmers)
    bucket.file(reservoir_copy)  # refreshes the reservoir cluster: farmers is now the least recently seen
    bucket.file(outlet)
    assert bucket.evicted == 1
    assert [c.first for c in bucket.clusters] == [reservoir, outlet]


CHAIN = ["the river rose quickly after the storm passed over the hills",
         "residents moved their cars to higher ground before dark",
         "the council opened two shelters at the old school and the library",
         "volunteers handed out blankets and hot soup through the night",
         "the water began to fall again early the following morning",
         "engineers said the bridge would stay closed for a week"]


def chain_text(first: int) -> str:
    return " ".join(sentence.capitalize() + "." for sentence in CHAIN[first:first + 4])


def test_a_chain_in_one_bucket_is_compared_with_its_first_paragraph_only():
    """A~B and B~C but not A~C: where all three share a bucket, B joins A's cluster and C is kept there."""
    a, b, c = bucket_of(chain_text(0), chain_text(1), chain_text(2))
    assert near_duplicate_similarity(c.sketch, b.sketch, SETTINGS) is not None
    assert near_duplicate_similarity(c.sketch, a.sketch, SETTINGS) is None
    for arrival in ([a, b, c], [c, b, a], [b, c, a]):
        matches, _ = matches_in_group(arrival, SETTINGS, DAY_MS)
        assert {(m.later, m.earlier) for m in matches} == {(b.ref, a.ref)}


def test_a_chain_arriving_newest_first_in_one_bucket_loses_both_later_paragraphs_there():
    a, b, c = bucket_of(chain_text(0), chain_text(1), chain_text(2))
    bucket = BucketClusters((), SETTINGS, DAY_MS)
    answers = [bucket.file(entry) for entry in (c, b, a)]
    assert [(m.later, m.earlier) for filed in answers for m in filed.replaced] == [(c.ref, b.ref), (b.ref, a.ref)]
    assert [cluster.first for cluster in bucket.clusters] == [a]


def test_a_chain_across_buckets_still_removes_the_third():
    """In the buckets B and C share without A, B represents its cluster, so C goes as B's duplicate."""
    articles = [s.article(f"c{i}", 1000 * (i + 1), chain_text(i)) for i in range(3)]
    assert removed(articles, arrival_matches(articles)) == {"c0": [], "c1": [(0, "c0", 0)], "c2": [(0, "c1", 0)]}


def test_one_word_paragraphs_do_not_share_one_bucket_but_a_typo_still_meets():
    assert not set(word_drop_keys(("advertisement",))) & set(word_drop_keys(("subscribe",)))
    assert set(word_drop_keys(("advertisement",))) & set(word_drop_keys(("advertisment",)))
    assert set(word_drop_keys(("photos",))) & set(word_drop_keys(("photos", "reuters")))


def test_paragraph_index_streaming_matches_the_bucket_decisions():
    articles = sample_stream()
    texts = [p["text"] for art in articles for p in art["paragraphs"]]
    refs = [(art["article_id"], p["index"]) for art in articles for p in art["paragraphs"]]
    index = ParagraphIndex(SETTINGS)
    found = index.add_batch(sketch_paragraphs(texts[:5], SETTINGS)) + index.add_batch(
        sketch_paragraphs(texts[5:], SETTINGS))
    by_index = {refs[i]: refs[f.slot] for i, f in enumerate(found) if f is not None}
    expected = {(a, r[0]): (r[1], r[2]) for a, rows in removed(articles, arrival_matches(articles)).items()
                for r in rows}
    assert by_index == expected
    assert len(index) == len(texts)
    assert index.nbytes() > 0


@pytest.mark.skipif(not (DEV / "dedup_dev.jsonl").exists(), reason="../shared/eval/dedup not present")
def test_dev_stream_precision_and_recall():
    """The dev stream in publication order through ParagraphIndex, scored like score_dedup.py."""
    gold = json.loads((DEV / "dedup_dev_gold.json").read_text())
    lines = (DEV / "dedup_dev.jsonl").read_text().splitlines()
    articles = [normalize_article(RawArticle(fields=json.loads(line), original=b"")) for line in lines if line.strip()]
    articles.sort(key=lambda a: (a["published_at"] or 0, a["article_id"]))
    index = ParagraphIndex(SETTINGS)
    predicted = set()
    for article in articles:
        paragraphs = article["paragraphs"]
        found = index.add_batch(sketch_paragraphs([p["text"] for p in paragraphs], SETTINGS))
        predicted |= {f"{article['article_id']}:{p['index']}" for p, f in zip(paragraphs, found, strict=True) if f}
    scored = {k: v["label"] for k, v in gold.items() if v["label"] != "ambiguous"}
    tp = sum(1 for k, label in scored.items() if label == "dup" and k in predicted)
    fp = sum(1 for k, label in scored.items() if label == "unique" and k in predicted)
    fn = sum(1 for k, label in scored.items() if label == "dup" and k not in predicted)
    assert tp / (tp + fp) >= 0.995
    assert tp / (tp + fn) >= 0.99


def test_the_index_keeps_the_stance_of_stored_paragraphs():
    from tests.test_dedup_verify import BAN, BAN_THREATENED

    index = ParagraphIndex(SETTINGS)
    assert index.add_batch(sketch_paragraphs([BAN], SETTINGS)) == [None]
    threatened, copy = index.add_batch(sketch_paragraphs([BAN_THREATENED, BAN.replace("cars", "cars ")], SETTINGS))
    assert threatened is None
    assert copy is not None and copy.slot == 0
