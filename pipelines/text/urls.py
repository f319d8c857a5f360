"""URL canonicalization, so that one article reached through different links gets one URL and one id."""
from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

TRACKING_PARAMETER = re.compile(
    r"(utm_\w*|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|msclkid|yclid|twclid|ttclid|igshid|mc_cid|mc_eid"
    r"|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|wickedid|rb_clickid|s_cid|ncid|cmpid)",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str | None) -> str | None:
    """Lowercase scheme and host; no credentials, default port, fragment or tracking parameters; None if unusable.

    Only absolute http(s) URLs are canonicalized; anything else (relative paths, other schemes, text that is
    not a URL) gives None, so the article id falls back to the text rather than to a meaningless string.
    Kept query parameters stay byte for byte in their order: re-encoding them could change their meaning.
    """
    if not url:
        return None
    url = url.strip()
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    host = host.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    kept = [pair for pair in parts.query.split("&") if pair and not _is_tracking(pair)]
    return urlunsplit((scheme, netloc, parts.path or "/", "&".join(kept), ""))


def _is_tracking(pair: str) -> bool:
    return TRACKING_PARAMETER.fullmatch(unquote_plus(pair.split("=", 1)[0])) is not None
