"""Page titles without the site's name: "Storm closes port | Example News" -> "Storm closes port".

A <title> (and often og:title) carries the site's name before or after the headline, joined by a separator.
The name is known from the page (og:site_name, the URL's host) or from a heading that repeats the headline
alone; a short part after " | " is a site name even when the page does not say so. A dash is also used
inside headlines ("US - China talks"), so a part after a dash goes only when it is known to be the site.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

SEPARATOR = re.compile(r"(\s+(?:[|·•»«~]|::|[-–—])\s+)")
NON_WORD = re.compile(r"[\W_]+")
MAX_SITE_WORDS = 6
HOST_PREFIXES = ("www.", "m.", "blog.", "blogs.", "news.", "en.")


def title_without_site_name(title: str, site_name: str | None, url: str | None, headings: list[str]) -> str:
    """The headline part of `title`; the title unchanged when no part is known to be the site's name."""
    title = " ".join(title.split())
    pieces = SEPARATOR.split(title)
    parts, separators = pieces[0::2], pieces[1::2]
    if len(parts) < 2:
        return title
    heading_keys = {_key(h) for h in headings}
    for cut in range(1, len(parts)):
        for kept in (slice(0, cut), slice(cut, None)):
            candidate = _joined(parts[kept], separators[kept.start or 0:])
            if _key(candidate) in heading_keys:
                return candidate
    names = _site_keys(site_name, url)
    start, end = 0, len(parts)
    while end - start > 1 and _is_site(parts[end - 1], names, separators[end - 2], parts[start:end - 1]):
        end -= 1
    while end - start > 1 and _is_site(parts[start], names, separators[start], parts[start + 1:end]):
        start += 1
    return _joined(parts[start:end], separators[start:])


def _joined(parts: list[str], separators: list[str]) -> str:
    pieces = [parts[0]]
    for separator, part in zip(separators, parts[1:], strict=False):
        pieces += [separator, part]
    return "".join(pieces)


def _key(text: str) -> str:
    return NON_WORD.sub("", text).casefold()


def _site_keys(site_name: str | None, url: str | None) -> set[str]:
    keys = {_key(site_name)} if site_name else set()
    host = urlsplit(url).hostname if url and "//" in url else None
    if host:
        for prefix in HOST_PREFIXES:
            host = host.removeprefix(prefix)
        label = host.split(".")[0]
        if len(label) >= 3:
            keys.add(label)
    return {k for k in keys if k}


def _is_site(part: str, names: set[str], separator: str | None, rest: list[str]) -> bool:
    """Whether `part`, beside the `rest` of the title, names the site: short, shorter than the rest, and
    either matching a known name or set off by a pipe."""
    words = len(part.split())
    if words > MAX_SITE_WORDS or len(part) >= sum(len(r) for r in rest):
        return False
    key = _key(part)
    if any(name in key or (len(key) >= 3 and key in name) for name in names):
        return True
    return separator is not None and separator.strip() == "|"
