"""The requested authority of a State-to-State request, looked up in the directory of
authorities for ``eevidence check``.

The checker and the directory are features of one layer that do not import each other, so
the command reads the directory here and hands the checker plain values: the facts of the
entry found (:class:`~eevidence.provider.RequestedAuthorityFacts`) or the answer that there
is none (:class:`~eevidence.provider.NoAuthorityEntry`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from eevidence.authorities import AUTHORITIES_ENV, AuthorityRegistry, load_authorities
from eevidence.cases import requested_authority_facts
from eevidence.provider import NoAuthorityEntry, RequestedAuthorityFacts
from eevidence.request import Request

__all__ = ["AuthorityLookup"]


class AuthorityLookup:
    """Reads the directory of authorities once, on the first request addressed to a State
    (at once when ``user_dir`` is given, so that a wrong folder is always reported)."""

    def __init__(self, user_dir: str | None, environ: Mapping[str, str] | None = None) -> None:
        self._env = os.environ if environ is None else environ
        self._user_dir = user_dir
        self._registry: AuthorityRegistry | None = None
        if user_dir is not None:
            self._load()

    def _load(self) -> AuthorityRegistry:
        if self._registry is None:
            self._registry = load_authorities(self._user_dir, environ=self._env)
        return self._registry

    def _searched(self) -> str:
        extra = self._user_dir or self._env.get(AUTHORITIES_ENV) or None
        if extra is None:
            return f"the shipped entries (${AUTHORITIES_ENV} not set)"
        return f"the shipped entries and those of {extra}"

    def facts_for(self, request: Request) -> RequestedAuthorityFacts | NoAuthorityEntry | None:
        """The requested authority's facts for :func:`~eevidence.provider.check`; None for a
        request not addressed to a State (the directory is then not read).

        Raises:
            ConfigurationError: the user folder does not exist.
            InputError: an entry of the directory is invalid.
        """
        if getattr(request, "requested_authority", None) is None:
            return None
        return requested_authority_facts(request, self._load(), searched=self._searched())
