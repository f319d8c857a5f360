"""The flag table (pipelines/flags.py) is importable without Beam; its defaults agree with the settings classes
the stages take, and its checks refuse what cannot work."""
from __future__ import annotations

import argparse

import pytest

from pipelines import flags
from pipelines.events.nlp import DEFAULT_MODEL
from pipelines.io.kafka import ReadSettings
from pipelines.options import NewsstreamOptions
from pipelines.text.normalize import HTML_EXTRACTORS, NormalizeSettings
from pipelines.text.verify import DedupSettings
from pipelines.transforms.events import EventSettings


def defaults() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    flags.add_arguments(parser)
    return parser.parse_args([])


def test_flag_defaults_are_the_settings_defaults():
    opts = NewsstreamOptions([])
    assert opts.dedup_settings() == DedupSettings()
    assert opts.normalize_settings() == NormalizeSettings()
    assert opts.event_settings() == EventSettings(model=DEFAULT_MODEL)
    read = opts.read_settings(bounded=True)
    base = ReadSettings(topics=("articles",))
    assert (read.watermark_max_delay_s, read.commit_interval_s, read.discovery_interval_s) == (
        base.watermark_max_delay_s, base.commit_interval_s, base.discovery_interval_s)
    assert flags.HTML_EXTRACTORS == HTML_EXTRACTORS and flags.DEFAULT_SPACY_MODEL == DEFAULT_MODEL


def test_the_defaults_pass_the_checks():
    assert flags.value_error(defaults()) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("t:0:5, t:1:7", (("t", 0, 5), ("t", 1, 7))),
    ("ns:topic:2:9", (("ns:topic", 2, 9),)),
    ("", ()),
])
def test_start_offsets_parse(value, expected):
    assert flags.parse_start_offsets(value) == expected


@pytest.mark.parametrize("value", ["garbage", "t:0", "t:x:1", "t:0:-1", ":0:1"])
def test_start_offsets_that_cannot_work_are_named(value):
    with pytest.raises(ValueError, match="--start-offsets item"):
        flags.parse_start_offsets(value)
