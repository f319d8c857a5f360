"""The HTML path never touches the network and never expands external entities."""
from __future__ import annotations

import json
import socket

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
    """Any attempt to open a connection fails the test."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise AssertionError(f"network access attempted: {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


def test_hostile_html_is_read_locally_without_entity_expansion(no_network):
    value = json.dumps({"id": "hostile", "html": HOSTILE_PAGE}).encode()
    article = normalize_article(parse_message(SourceMessage(value=value)))
    text = "\n".join(p["text"] for p in article["paragraphs"])
    assert "harbour reopened on Monday" in text
    assert "root:" not in text and "payload" not in text
    assert no_network == []
