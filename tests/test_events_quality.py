"""The figures' 90% bootstrap intervals in benchmarks/events_quality.py, on counts made up here."""
from benchmarks.events_quality import f1_of_counts, interval, ratio


def test_units_that_all_agree_give_an_interval_of_one_point():
    assert interval([(1, 1)] * 50, ratio(0, 1)) == [1.0, 1.0]
    assert interval([(0, 2)] * 50, ratio(0, 1)) == [0.0, 0.0]


def test_the_interval_holds_the_figure_and_narrows_as_the_set_grows():
    small = interval([(1, 1), (0, 1)] * 20, ratio(0, 1))
    large = interval([(1, 1), (0, 1)] * 2000, ratio(0, 1))
    assert small[0] < 0.5 < small[1]
    assert large[0] < 0.5 < large[1]
    assert large[1] - large[0] < (small[1] - small[0]) / 4


def test_the_figure_is_computed_from_summed_counts_not_averaged_per_unit():
    # one sentence with 9 of 10 events right, nine with none emitted: precision is 0.9 in every draw that
    # holds the first sentence (a per-unit mean would count the empty ones as zeros)
    units = [(9, 10)] + [(0, 0)] * 9
    low, high = interval(units, ratio(0, 1))
    assert low == 0.0 and high == 0.9


def test_f1_from_true_positives_false_positives_and_false_negatives():
    assert f1_of_counts([2, 1, 1]) == 2 * 2 / (2 * 2 + 1 + 1)
    assert f1_of_counts([0, 0, 0]) == 0.0
