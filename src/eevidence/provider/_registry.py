"""Loading provider profiles: the shipped set, overridden by a user directory.

Each file ``<id>.json`` is checked against ``schemas/provider.schema.json`` (every error
with its JSON path) and then parsed into :class:`~eevidence.provider._profiles.ProviderProfile`.
A user directory (``--providers-dir`` or the ``EEVIDENCE_PROVIDERS`` environment variable)
adds profiles and replaces shipped ones with the same id.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from eevidence._internal.resources import data_dir
from eevidence.errors import ConfigurationError, InputError, Problem, ProfileError
from eevidence.provider._profiles import ProviderProfile, load_profile_bytes
from eevidence.provider._schema import profile_schema_problems

__all__ = ["PROVIDERS_ENV", "ProviderRegistry", "load_profile_file", "load_providers"]

PROVIDERS_ENV: Final = "EEVIDENCE_PROVIDERS"
MAX_PROFILE_BYTES: Final = 4 * 1024 * 1024


def load_profile_file(path: Path) -> ProviderProfile:
    """Read, schema-check and parse one profile file; the file name must be ``<id>.json``."""
    origin = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=origin) from None
    if len(data) > MAX_PROFILE_BYTES:
        raise InputError(f"profile is larger than {MAX_PROFILE_BYTES} bytes", source=origin)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(origin, [("$", f"not valid JSON: {exc}")]) from None
    problems = profile_schema_problems(document)
    if problems:
        raise ProfileError(origin, problems)
    profile = load_profile_bytes(data, origin=origin)
    if profile.id != path.stem:
        raise ProfileError(origin, [("$.id", f"id {profile.id!r} differs from the file name")])
    return profile


@dataclass(frozen=True)
class ProviderRegistry:
    """Profiles by id, with the file each came from."""

    profiles: Mapping[str, ProviderProfile]
    origins: Mapping[str, str]

    def get(self, provider_id: str) -> ProviderProfile:
        try:
            return self.profiles[provider_id]
        except KeyError:
            raise InputError(
                f"unknown provider {provider_id!r}",
                source="providers",
                problems=[Problem("$.provider", "known providers: " + ", ".join(self.ids()))],
            ) from None

    def ids(self) -> list[str]:
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
    """The shipped profiles, overridden by ``user_dir`` (or ``$EEVIDENCE_PROVIDERS``)."""
    env = os.environ if environ is None else environ
    found = _read_dir(data_dir("providers"))
    extra = user_dir if user_dir is not None else env.get(PROVIDERS_ENV) or None
    if extra is not None:
        found.update(_read_dir(Path(extra)))
    return ProviderRegistry(
        {k: v[0] for k, v in found.items()}, {k: v[1] for k, v in found.items()}
    )
