"""Deterministic ids, so that replaying the same input writes identical records."""
from __future__ import annotations

import hashlib

# Ids become Kafka keys, file shard keys and dedup state keys: a longer given id is replaced by its hash.
MAX_ID_CHARS = 200


def stable_hash(*parts: str, length: int = 16) -> str:
    """Hex digest of the parts joined unambiguously; the same input gives the same id on every run."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:length]


def article_id_for(given_id: str | None, canonical_url: str | None, text: str) -> str:
    """The given id (its hash when longer than MAX_ID_CHARS), else a hash of the canonical URL, else a hash
    of the article text."""
    if given_id and len(given_id) > MAX_ID_CHARS:
        return "long-" + stable_hash(given_id, length=32)
    if given_id:
        return given_id
    if canonical_url:
        return "url-" + stable_hash(canonical_url)
    return "txt-" + stable_hash(text)
