"""Loading provider profiles: the shipped set, overridden by a user directory.

Each file ``<id>.json`` is checked against ``schemas/provider.schema.json`` (every error
with its JSON path) and then parsed into :class:`~eevidence.provider._profiles.ProviderProfile`.
A user directory (``--providers-dir`` or the ``EEVIDENCE_PROVIDERS`` environment variable)
adds profiles and replaces shipped ones with the same id.

Ids are looked up case-insensitively (``Google`` is ``google``); an id no profile has is
refused with :class:`UnknownProviderError`, which names the closest known id (``gogle``:
did you mean ``google``?).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from eevidence._internal.documents import decode_json, read_limited
from eevidence._internal.resources import data_dir
from eevidence.errors import ConfigurationError, InputError, Problem, ProfileError
from eevidence.provider._profiles import ProviderProfile, load_profile_bytes
from eevidence.provider._schema import profile_schema_problems

__all__ = [
    "PROVIDERS_ENV",
    "ProviderRegistry",
    "UnknownProviderError",
    "load_profile_file",
    "load_providers",
]

PROVIDERS_ENV: Final = "EEVIDENCE_PROVIDERS"
"""The environment variable naming a directory of extra or replacement profiles."""
MAX_PROFILE_BYTES: Final = 4 * 1024 * 1024
_SIMILAR: Final = 0.6
"""How alike a known id or name must be to be suggested (:func:`difflib.get_close_matches`)."""


class UnknownProviderError(InputError):
    """No provider profile has the id asked for.

    The message names the closest known id or provider name (``did you mean 'google'?``)
    when one is alike enough; the problem at ``$.provider`` lists every known id.

    Attributes:
        provider_id: The id as given.
        suggestion: The known id suggested, or ``None``.
        known: Every known id, sorted.
    """

    def __init__(
        self,
        provider_id: str,
        known: Iterable[str],
        *,
        suggestion: str | None = None,
        source: str = "providers",
    ) -> None:
        self.provider_id = provider_id
        self.suggestion = suggestion
        self.known = tuple(sorted(known))
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(
            f"unknown provider {provider_id!r}{hint}",
            source=source,
            problems=[
                Problem(
                    "$.provider",
                    "known providers: "
                    + ", ".join(self.known)
                    + f" (add your own with --providers-dir or ${PROVIDERS_ENV})",
                )
            ],
        )


def load_profile_file(path: Path) -> ProviderProfile:
    """Read, schema-check and parse one profile file.

    The file is read as JSON within limits (at most 4 MiB, 64 levels deep, no key given
    twice in an object, a leading UTF-8 byte order mark dropped), checked against
    ``provider.schema.json`` (JSON Schema Draft 2020-12; every error with its JSON path),
    then parsed into the model.

    Args:
        path: ``<id>.json``, at most 4 MiB; the profile's ``id`` must equal the file's stem.

    Returns:
        The validated profile.

    Raises:
        InputError: the file cannot be read or is larger than 4 MiB.
        ProfileError: the file is not JSON, is nested more than 64 levels deep, gives a key
            twice in one object, does not satisfy the schema or the model, or its ``id``
            differs from the file name (every problem with its JSON path).
    """
    origin = str(path)
    data = read_limited(path, MAX_PROFILE_BYTES, "profile").removeprefix(b"\xef\xbb\xbf")
    try:
        document = decode_json(data, origin, max_bytes=MAX_PROFILE_BYTES, integers_only=False)
    except InputError as exc:
        raise ProfileError(origin, [("$", str(exc))]) from None
    problems = profile_schema_problems(document)
    if problems:
        raise ProfileError(origin, problems)
    profile = load_profile_bytes(data, origin=origin)
    if profile.id != path.stem:
        raise ProfileError(origin, [("$.id", f"id {profile.id!r} differs from the file name")])
    return profile


@dataclass(frozen=True)
class ProviderRegistry:
    """Profiles by id (``profiles``), with the file each came from (``origins``).

    Iterating yields the profiles sorted by id; ``len`` is their number.
    """

    profiles: Mapping[str, ProviderProfile]
    origins: Mapping[str, str]

    def get(self, provider_id: str, *, source: str = "providers") -> ProviderProfile:
        """The profile of ``provider_id`` (e.g. ``meta``), the id read case-insensitively
        (``Meta`` is ``meta``; surrounding spaces are ignored).

        Args:
            provider_id: The id as given by a user or a request.
            source: What named the id, for the error (``--provider``, a file name).

        Returns:
            The profile, whose ``id`` is the canonical (lower-case) id.

        Raises:
            UnknownProviderError: no profile has that id; the message suggests the closest
                known id or provider name, and the problem at ``$.provider`` lists the
                known ids.
        """
        profile = self.profiles.get(provider_id)
        if profile is not None:
            return profile
        key = provider_id.strip().lower()
        profile = self.profiles.get(key)
        if profile is not None:
            return profile
        raise UnknownProviderError(
            provider_id, self.ids(), suggestion=self.suggest(key), source=source
        )

    def suggest(self, provider_id: str) -> str | None:
        """The known id closest to ``provider_id`` (compared in lower case with the ids and
        the providers' names, by :func:`difflib.get_close_matches`), or ``None`` when none
        is alike enough.

        Returns:
            A key of :attr:`profiles`, or ``None``.
        """
        key = provider_id.strip().lower()
        names = {i: i for i in self.profiles}
        for i, profile in self.profiles.items():
            names.setdefault(profile.name.lower(), i)
        found = difflib.get_close_matches(key, list(names), n=1, cutoff=_SIMILAR)
        return names[found[0]] if found else None

    def ids(self) -> list[str]:
        """Every provider id, sorted."""
        return sorted(self.profiles)

    def __iter__(self) -> Iterator[ProviderProfile]:
        return (self.profiles[i] for i in self.ids())

    def __len__(self) -> int:
        return len(self.profiles)


def _read_dir(directory: Path) -> dict[str, tuple[ProviderProfile, str]]:
    if not directory.is_dir():
        raise ConfigurationError(f"{directory}: provider directory not found")
    out: dict[str, tuple[ProviderProfile, str]] = {}
    for path in sorted(directory.glob("*.json")):
        profile = load_profile_file(path)
        out[profile.id] = (profile, str(path))
    return out


def load_providers(
    user_dir: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> ProviderRegistry:
    """The shipped profiles, overridden by those of a user directory.

    Args:
        user_dir: A directory of ``<id>.json`` profiles that add to the shipped ones and
            replace those with the same id; default: ``$EEVIDENCE_PROVIDERS`` if set.
        environ: The environment to read ``EEVIDENCE_PROVIDERS`` from (default: the
            process's).

    Returns:
        The registry of every profile, each with its file.

    Raises:
        ConfigurationError: the user directory does not exist, or the shipped profiles are
            missing from the installation.
        InputError: a profile file cannot be read or is too large.
        ProfileError: a profile file is invalid (see :func:`load_profile_file`).
    """
    env = os.environ if environ is None else environ
    found = _read_dir(data_dir("providers"))
    extra = user_dir if user_dir is not None else env.get(PROVIDERS_ENV) or None
    if extra is not None:
        found.update(_read_dir(Path(extra)))
    return ProviderRegistry(
        {k: v[0] for k, v in found.items()}, {k: v[1] for k, v in found.items()}
    )
