"""The HTML path never touches the network and never expands external entities."""
from __future__ import annotations

import json
import socket
import threading

import pytest

from pipelines.records import SourceMessage
from pipelines.text.normalize import normalize_article
from pipelines.text.parse import parse_message

HOSTILE_PAGE = """<?xml version="1.0"?>
<!DOCTYPE html [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
  <!ENTITY remote SYSTEM "http://192.0.2.10/payload">
]>
<html><head><link rel="stylesheet" href="http://192.0.2.10/style.css">
<script src="http://192.0.2.10/tracker.js"></script></head>
<body><img src="http://192.0.2.10/pixel.gif"><iframe src="http://192.0.2.10/frame"></iframe>
<p>The harbour reopened on Monday after the storm. &secret; &remote;</p>
<p>Ferries resumed their normal timetable by the afternoon.</p></body></html>"""


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt of this test's thread to open a connection fails the test (other threads are other tests'
    clients winding down, not the HTML reader)."""
    attempts = []
    test_thread = threading.get_ident()
    originals = {name: getattr(socket.socket, name) for name in ("connect", "connect_ex")}

    def refusing(name):
        def refuse(self, address):
            if threading.get_ident() != test_thread:
                return originals[name](self, address)
            attempts.append(address)
            raise AssertionError(f"network access attempted: {address}")
        return refuse

    for name in originals:
        monkeypatch.setattr(socket.socket, name, refusing(name))
    return attempts


def test_the_guard_sees_a_connection_opened_by_the_test(no_network):
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("192.0.2.10", 80), timeout=1)
    assert no_network == [("192.0.2.10", 80)]


def test_hostile_html_is_read_locally_without_entity_expansion(no_network):
    value = json.dumps({"id": "hostile", "html": HOSTILE_PAGE}).encode()
    article = normalize_article(parse_message(SourceMessage(value=value)))
    text = "\n".join(p["text"] for p in article["paragraphs"])
    assert "harbour reopened on Monday" in text
    assert "root:" not in text and "payload" not in text
    assert no_network == []
