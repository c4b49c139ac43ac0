"""The trust store of the package commands, and the admission of packages into the workflow.

``package verify``, ``package sign``, ``track add PACKAGE`` and ``submit`` read the trusted
keys from ``--trust DIR`` (or ``$EEVIDENCE_TRUST``). A trust store inside the package it is
meant to judge is refused: a package cannot vouch for itself. ``track add`` and ``submit``
refuse a package that is not signed by a trusted key unless ``--allow-unsigned`` is given;
the package's fixity must hold either way, and the custody entry of the act says when a
package was let in without a trusted signature.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from eevidence._cli._common import CliUsageError
from eevidence.crypto import TrustStore, load_trust_store
from eevidence.errors import ConfigurationError, InputError

__all__ = [
    "TRUST_ENV",
    "Admission",
    "admit_package",
    "allow_unsigned_option",
    "trust_of",
    "trust_option",
    "trust_path",
]

TRUST_ENV = "EEVIDENCE_TRUST"


def trust_option(p: argparse.ArgumentParser, what: str) -> None:
    """Add ``--trust DIR`` (default ``$EEVIDENCE_TRUST``); ``what`` says what it is for."""
    p.add_argument(
        "--trust",
        metavar="DIR",
        help=f"directory of trusted PEM public keys or certificates (or one file) {what} "
        f"(default: ${TRUST_ENV}); it must not be inside the package",
    )


def allow_unsigned_option(p: argparse.ArgumentParser) -> None:
    """Add ``--allow-unsigned``."""
    p.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="accept a package that no trusted key signed (or without a trust store) on its "
        "fixity alone; the custody log records that it was accepted so",
    )


def trust_path(args: argparse.Namespace) -> str | None:
    """``--trust``, else ``$EEVIDENCE_TRUST``, else ``None``."""
    given: str | None = getattr(args, "trust", None) or os.environ.get(TRUST_ENV) or None
    return given


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _refuse_inside(trust: str, package: str | os.PathLike[str], store: TrustStore) -> None:
    """Refuse a trust store that is, or holds a key file, inside a directory package."""
    folder = Path(package).resolve()
    if not folder.is_dir():
        return  # a zip holds nothing a path can point into
    sources = [Path(trust).resolve()]
    sources += [Path(k.source).resolve() for k in store if k.source != "<memory>"]
    if any(_inside(s, folder) for s in sources):
        raise ConfigurationError(
            f"the trust store {trust} is inside the package {package}: a package cannot "
            "vouch for itself; keep the trusted public keys outside it"
        )


def trust_of(args: argparse.Namespace, package: str | os.PathLike[str]) -> TrustStore:
    """The trust store to judge ``package`` with; ``--trust`` or ``$EEVIDENCE_TRUST`` required.

    Raises:
        CliUsageError: neither is given.
        ConfigurationError: the trust store is inside the package, or cannot be loaded.
    """
    trust = trust_path(args)
    if trust is None:
        raise CliUsageError(f"--trust DIR is required (or set ${TRUST_ENV})")
    store = load_trust_store(trust)
    _refuse_inside(trust, package, store)
    return store


@dataclass(frozen=True)
class Admission:
    """How a package was let into the workflow.

    Attributes:
        trust: The trust store its signatures were checked against (``None``: none given).
        unsigned_note: ``None`` when a trusted key signed it; else the custody note saying
            that ``--allow-unsigned`` let it in, and why it was needed.
    """

    trust: TrustStore | None
    unsigned_note: str | None = None


def admit_package(
    args: argparse.Namespace, package: str | os.PathLike[str], *, fixity: bool
) -> Admission:
    """Check that ``package`` may enter the workflow (``track add``, ``submit``).

    Without ``--allow-unsigned``, a trust store is required and at least one trusted key
    must have signed the package: its signatures, signed coverage and fixity must all hold
    (checked here only when ``fixity`` is true; ``submit`` has them checked as the package is
    read for sending). With it, a package no trusted key signed is accepted on its fixity
    alone (a complete and valid bag, RFC 8493 section 3), but not one with a signature that
    a trusted key fails to verify or a malformed signature envelope.

    Raises:
        InputError: the package is refused (the message gives the reasons).
        ConfigurationError: the trust store is inside the package, or cannot be loaded.
    """
    from eevidence.package import package_report  # noqa: PLC0415 - packages only

    trust = trust_path(args)
    store = None
    if trust is not None:
        store = load_trust_store(trust)
        _refuse_inside(trust, package, store)
    if not args.allow_unsigned:
        if store is None:
            raise InputError(
                f"refused: no trust store to check the package's signatures against; give "
                f"--trust DIR or set ${TRUST_ENV} (--allow-unsigned accepts a package no "
                "trusted key signed, on its fixity alone)",
                source=str(package),
            )
        if fixity:
            report = package_report(package, store)
            if not report.ok:
                raise InputError(_refusal(report.reasons()), source=str(package))
        return Admission(store)
    report = package_report(package, store or TrustStore(), fixity_only=True)
    if report.ok:
        return Admission(store)
    broken = [f"{p.code}: {p.message}" for p in report.problems]
    broken += [f"{f.status}: {f.path}" for f in report.files if f.status != "ok"]
    broken += [f"signature {s.index} invalid" for s in report.signatures if s.status == "invalid"]
    if broken or not report.fixity_ok:
        raise InputError(
            "the package does not verify, even on its fixity alone: "
            + "; ".join((broken or report.reasons())[:5]),
            source=str(package),
        )
    if store is None:
        why = "its signatures were not checked (no trust store)"
    elif not report.signed:
        why = "the package is unsigned"
    else:
        why = "no trusted key signed the package"
    return Admission(store, f"accepted with --allow-unsigned: {why}")


def _refusal(reasons: list[str]) -> str:
    text = "refused: the package does not verify: " + "; ".join(reasons[:5])
    if any(r.startswith(("unsigned", "threshold_not_met")) for r in reasons):
        text += " (--allow-unsigned accepts a package no trusted key signed, on its fixity alone)"
    return text
