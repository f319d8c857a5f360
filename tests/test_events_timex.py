"""Time expressions resolved against the publication date (a Wednesday, 2019-07-31)."""
from datetime import date

import pytest

from pipelines.events.timex import find_times, resolve

PUBLISHED = date(2019, 7, 31)


def resolved(sentence: str, published=PUBLISHED, future=False):
    (mention,) = find_times(sentence)
    return mention.text, resolve(mention, published, future)


@pytest.mark.parametrize("sentence, text, start, end, granularity", [
    ("They met last week.", "last week", date(2019, 7, 22), date(2019, 7, 28), "week"),
    ("He spoke on Tuesday.", "Tuesday", date(2019, 7, 30), date(2019, 7, 30), "day"),
    ("The talks of last month's summit.", "last month", date(2019, 6, 1), date(2019, 6, 30), "month"),
    ("They agreed during their June 30 meeting.", "June 30", date(2019, 6, 30), date(2019, 6, 30), "day"),
    ("The summit in Hanoi in Feb. failed.", "Feb.", date(2019, 2, 1), date(2019, 2, 28), "month"),
    ("Exercises are planned next month.", "next month", date(2019, 8, 1), date(2019, 8, 31), "month"),
    ("Talks resume in a couple of weeks.", "in a couple of weeks", PUBLISHED, date(2019, 8, 14), "range"),
    ("It happened two days ago.", "two days ago", date(2019, 7, 29), date(2019, 7, 29), "day"),
    ("The blast on 3 March 2017 killed two.", "3 March 2017", date(2017, 3, 3), date(2017, 3, 3), "day"),
    ("Troops left yesterday.", "yesterday", date(2019, 7, 30), date(2019, 7, 30), "day"),
])
def test_expressions_resolve_against_publication(sentence, text, start, end, granularity):
    found, result = resolved(sentence)
    assert found == text
    assert (result.start, result.end, result.granularity) == (start, end, granularity)


def test_a_later_month_day_is_last_year_for_a_past_event_and_this_year_for_a_planned_one():
    assert resolved("They met on December 2.")[1].start == date(2018, 12, 2)
    assert resolved("They will meet on December 2.", future=True)[1].start == date(2019, 12, 2)


def test_a_weekday_is_the_next_one_for_a_planned_event():
    assert resolved("They will meet on Friday.", future=True)[1].start == date(2019, 8, 2)


def test_without_publication_date_relative_times_keep_their_text_only():
    text, result = resolved("They met last week.", published=None)
    assert text == "last week"
    assert result.start is None and result.end is None


def test_may_the_verb_is_no_month():
    assert find_times("Officials may meet again.") == []
    assert [m.text for m in find_times("In May, she was arrested.")] == ["May"]
