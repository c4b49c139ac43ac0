"""Loading authority entries: the shipped set, added to or replaced from a user folder.

Each file ``<id>.json`` is checked against ``schemas/authority-directory.schema.json`` (every
error with its JSON path) and then parsed into :class:`Authority`. A user folder (the
``user_dir`` argument, ``--authorities-dir``, or the ``EEVIDENCE_AUTHORITIES`` environment
variable) adds entries and replaces shipped ones with the same id: that is how an agency loads
its own copy of a restricted directory.
"""

from __future__ import annotations

import difflib
import functools
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator

from eevidence._internal.documents import decode_json, read_limited
from eevidence._internal.resources import data_dir
from eevidence._internal.schemas import generate_schema, problems_against, validator_for
from eevidence.authorities._model import Authority
from eevidence.errors import ConfigurationError, InputError, Problem

__all__ = [
    "AUTHORITIES_ENV",
    "AUTHORITY_SCHEMA_FILE",
    "AuthorityRegistry",
    "authority_schema_problems",
    "generated_schemas",
    "load_authorities",
    "load_authority_file",
]

AUTHORITIES_ENV: Final = "EEVIDENCE_AUTHORITIES"
"""The environment variable naming a folder of extra or replacement authority entries."""
AUTHORITY_SCHEMA_FILE: Final = "authority-directory.schema.json"
"""The file name of the authority-entry schema under ``schemas/``."""
_ID: Final = "urn:eevidence:schema:authority-directory:1"
MAX_ENTRY_BYTES: Final = 1024 * 1024


@functools.cache
def _schema() -> dict[str, Any]:
    return generate_schema(Authority, schema_id=_ID, title="eevidence authority entry")


def generated_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema (Draft 2020-12) of an authority entry, generated from the model.

    Returns:
        ``{"authority-directory.schema.json": schema}``, a fresh top-level copy
        (``scripts/gen_schemas.py`` writes it under ``schemas/``).
    """
    return {AUTHORITY_SCHEMA_FILE: dict(_schema())}


@functools.cache
def _validator() -> Draft202012Validator:
    return validator_for(_schema())


def authority_schema_problems(document: Any) -> list[Problem]:
    """Every error of a decoded authority entry against its schema, with JSON paths.

    Returns:
        One problem per schema error; empty when the document conforms.
    """
    return problems_against(_validator(), document)


def _invalid(origin: str, problems: list[Problem]) -> InputError:
    n = len(problems)
    return InputError(
        f"invalid authority entry ({n} problem{'s' if n != 1 else ''})",
        source=origin,
        problems=problems,
    )


def load_authority_file(path: Path) -> Authority:
    """Read, schema-check and parse one authority entry.

    Args:
        path: ``<id>.json``, at most 1 MiB; the entry's ``id`` must equal the file's stem.

    Returns:
        The validated entry.

    Raises:
        InputError: the file cannot be read, is too large, is not JSON, does not satisfy
            the schema or the model (a fact without a source, a source id that does not
            resolve, a public entry citing a restricted directory), or its ``id`` differs
            from the file name; every problem with its JSON path.
    """
    origin = str(path)
    data = read_limited(path, MAX_ENTRY_BYTES, "authority entry").removeprefix(b"\xef\xbb\xbf")
    try:
        document = decode_json(data, origin, max_bytes=MAX_ENTRY_BYTES)
    except InputError as exc:
        raise _invalid(origin, [Problem("$", str(exc))]) from None
    problems = authority_schema_problems(document)
    if problems:
        raise _invalid(origin, problems)
    try:
        entry = Authority.model_validate(document)
    except InputError as exc:
        raise _invalid(origin, list(exc.problems)) from None
    if entry.id != path.stem:
        raise _invalid(origin, [Problem("$.id", f"id {entry.id!r} differs from the file name")])
    return entry


@dataclass(frozen=True)
class AuthorityRegistry:
    """Authority entries by id (``entries``), with the file each came from (``origins``).

    Iterating yields the entries sorted by id.
    """

    entries: Mapping[str, Authority]
    origins: Mapping[str, str]

    def get(self, authority_id: str) -> Authority:
        """The entry ``authority_id`` (read case-insensitively).

        Raises:
            InputError: no entry has that id; the message suggests the closest id and the
                problem lists the known ids.
        """
        key = authority_id.strip().lower()
        if key in self.entries:
            return self.entries[key]
        close = difflib.get_close_matches(key, list(self.entries), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(
            f"unknown authority {authority_id!r}{hint}",
            source="authorities",
            problems=[
                Problem(
                    "$.authority",
                    "known authorities: "
                    + (", ".join(sorted(self.entries)) or "none")
                    + f" (add your own with ${AUTHORITIES_ENV})",
                )
            ],
        )

    def find(self, country: str, function: str | None = None) -> list[Authority]:
        """The entries of ``country`` (ISO 3166-1 alpha-2), holding ``function`` if given,
        sorted by id."""
        code = country.strip().upper()
        return [
            a for a in self if a.country == code and (function is None or function in a.functions())
        ]

    def ids(self) -> list[str]:
        """Every id, sorted."""
        return sorted(self.entries)

    def __iter__(self) -> Iterator[Authority]:
        return (self.entries[i] for i in self.ids())

    def __len__(self) -> int:
        return len(self.entries)


def _read_dir(directory: Path) -> dict[str, tuple[Authority, str]]:
    if not directory.is_dir():
        what = "is not a folder" if directory.exists() else "folder not found"
        raise ConfigurationError(f"{directory}: authorities {what}")
    out: dict[str, tuple[Authority, str]] = {}
    for path in sorted(directory.glob("*.json")):
        entry = load_authority_file(path)
        out[entry.id] = (entry, str(path))
    return out


def load_authorities(
    user_dir: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
) -> AuthorityRegistry:
    """The shipped entries, added to and overridden by those of a user folder.

    Args:
        user_dir: A folder of ``<id>.json`` entries (for example an agency's copy of the
            UNODC directory or of the 24/7 list, marked ``restricted``); default:
            ``$EEVIDENCE_AUTHORITIES`` if set.
        environ: The environment to read ``EEVIDENCE_AUTHORITIES`` from (default: the
            process's).

    Returns:
        The registry of every entry, each with its file.

    Raises:
        ConfigurationError: the user folder does not exist, or the shipped entries are
            missing from the installation.
        InputError: an entry is unreadable or invalid (see :func:`load_authority_file`).
    """
    env = os.environ if environ is None else environ
    found = _read_dir(data_dir("authorities"))
    extra = user_dir if user_dir is not None else env.get(AUTHORITIES_ENV) or None
    if extra is not None:
        found.update(_read_dir(Path(extra)))
    return AuthorityRegistry(
        {k: v[0] for k, v in found.items()}, {k: v[1] for k, v in found.items()}
    )
