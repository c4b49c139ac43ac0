"""Trust: the package commands' trust store, package admission, the custody trust configuration.

``package verify``, ``package sign``, ``track add PACKAGE`` and ``submit`` read the trusted
keys from ``--trust DIR`` (or ``$EEVIDENCE_TRUST``). A trust store inside the package it is
meant to judge is refused: a package cannot vouch for itself. ``track add`` and ``submit``
refuse a package that is not signed by a trusted key unless ``--allow-unsigned`` is given;
the package's fixity must hold either way, and the custody entry of the act says when a
package was let in without a trusted signature.

The custody log is judged against the custody trust configuration
(:func:`eevidence.custody.load_custody_trust`, shown by ``custody trust list``), never
against keys found beside a store; ``--trust DIR`` replaces it for one command.
"""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eevidence._cli._common import EXIT_OK, CliUsageError, echo, print_json
from eevidence._internal.fs import read_regular
from eevidence.crypto import PublicKey, TrustStore, load_public_key, load_trust_store
from eevidence.errors import ConfigurationError, InputError

if TYPE_CHECKING:  # the custody stack is loaded only by the commands that use it
    from cryptography import x509

    from eevidence.custody import TimestampAuthority

__all__ = [
    "TRUST_ENV",
    "Admission",
    "admit_package",
    "allow_unsigned_option",
    "certificate_of",
    "custody_trust_option",
    "custody_trusted",
    "custody_tsa",
    "register_custody_trust",
    "trust_of",
    "trust_option",
    "trust_path",
    "trust_signer",
]

TRUST_ENV = "EEVIDENCE_TRUST"
_log = logging.getLogger(__name__)


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
    """Refuse a trust store that is, or holds a key file, inside a directory package.

    Raises:
        ConfigurationError: it is inside.
        InputError: a path is a symbolic link loop.
    """
    try:
        folder = Path(package).resolve()
        if not folder.is_dir():
            return  # a zip holds nothing a path can point into
        sources = [Path(trust).resolve()]
        sources += [Path(k.source).resolve() for k in store if k.source != "<memory>"]
    except (RuntimeError, OSError) as exc:  # a symbolic link loop (RuntimeError before 3.13)
        raise InputError(f"cannot resolve the path: {exc}", source=str(package)) from None
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


# -- the custody trust configuration -----------------------------------------------------------


def custody_trust_option(p: argparse.ArgumentParser) -> None:
    """Add ``--trust DIR`` and ``--tsa-root PEM`` for commands that judge the custody log."""
    p.add_argument(
        "--trust",
        metavar="DIR",
        help="directory of PEM public keys trusted to sign the log, instead of the custody "
        "trust configuration (see: eevidence custody trust list)",
    )
    p.add_argument(
        "--tsa-root",
        metavar="PEM",
        action="append",
        default=[],
        help="trusted root certificate of the RFC 3161 TSA (repeatable; default: the roots "
        "in the custody trust configuration)",
    )


def custody_trusted(args: argparse.Namespace) -> list[PublicKey]:
    """The keys trusted to sign custody entries: ``--trust DIR``, else the configuration.

    Raises:
        ConfigurationError: neither gives a key, or one cannot be loaded.
    """
    from eevidence.custody import load_custody_trust  # noqa: PLC0415

    if getattr(args, "trust", None):
        return [k.public_key for k in load_trust_store(args.trust)]
    config = load_custody_trust()
    if not config.signers:
        raise ConfigurationError(
            f"no key is trusted to sign the custody log: the custody trust configuration "
            f"({config.folder}) is empty; keys this workstation signs with are added when "
            "first used, others with 'eevidence custody trust add PUB'; or give --trust DIR"
        )
    return config.public_keys


def certificate_of(path: str) -> x509.Certificate:
    """A PEM X.509 certificate (RFC 5280) read from ``path``.

    Raises:
        InputError: it cannot be read or is not a PEM certificate.
    """
    from cryptography import x509  # noqa: PLC0415

    data = read_regular(path, 1 << 20, "certificate")  # a FIFO or device is refused at once
    try:
        return x509.load_pem_x509_certificate(data)
    except ValueError as exc:
        raise InputError(f"not a PEM certificate: {exc}", source=path) from None


def custody_tsa(args: argparse.Namespace) -> TimestampAuthority | None:
    """The TSA roots kept timestamps are checked against: ``--tsa-root``, else configured.

    Raises:
        InputError: a ``--tsa-root`` file is not a PEM certificate.
        ConfigurationError: the trust configuration is unusable.
    """
    from eevidence.custody import TimestampAuthority, load_custody_trust  # noqa: PLC0415

    given = getattr(args, "tsa_root", None) or []
    if given:
        return TimestampAuthority([certificate_of(p) for p in given])
    roots = [r.certificate for r in load_custody_trust().tsa_roots]
    return TimestampAuthority(roots) if roots else None


def trust_signer(key: PublicKey, now: datetime, reason: str) -> None:
    """Record ``key`` in the custody trust configuration if it is not there yet.

    Raises:
        ConfigurationError: the configuration cannot be read or written.
    """
    from eevidence.custody import add_trusted_key  # noqa: PLC0415

    signer, added = add_trusted_key(key, now=now, reason=reason)
    if added:
        _log.debug("trusted custody key %s (%s)", signer.keyid, reason)


def register_custody_trust(csub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``custody trust list|add|add-tsa-root``."""
    p = csub.add_parser(
        "trust",
        help="the keys trusted to sign the custody log (kept apart from every store)",
        description="Keys this workstation signs custody entries with are added when first "
        "used; foreign signers and TSA roots are added here, explicitly.",
    )
    tsub = p.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    q = tsub.add_parser("list", help="the trusted keys and TSA roots, with when they were added")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=_cmd_trust_list)
    q = tsub.add_parser("add", help="trust a foreign signer's PEM public key (or certificate)")
    q.add_argument("public_key", metavar="PUB")
    q.add_argument("--reason", metavar="TEXT", help="why it is trusted (default: added by hand)")
    q.add_argument("--now", metavar="DATETIME", help=argparse.SUPPRESS)
    q.set_defaults(handler=_cmd_trust_add)
    q = tsub.add_parser("add-tsa-root", help="trust an RFC 3161 TSA root certificate (PEM)")
    q.add_argument("certificate", metavar="PEM")
    q.add_argument("--reason", metavar="TEXT", help="why it is trusted (default: added by hand)")
    q.add_argument("--now", metavar="DATETIME", help=argparse.SUPPRESS)
    q.set_defaults(handler=_cmd_trust_add_root)


def _cmd_trust_list(args: argparse.Namespace) -> int:
    from eevidence.custody import load_custody_trust  # noqa: PLC0415

    config = load_custody_trust()
    if args.json:
        print_json(config.to_dict())
        return EXIT_OK
    echo(f"custody trust configuration: {config.folder}")
    for s in config.signers:
        d = s.to_dict()
        echo(f"  key {s.keyid}  {d['type']:<8} added {d['added']}  {s.reason}")
    for r in config.tsa_roots:
        echo(
            f"  tsa root {r.sha256[:16]}...  {r.to_dict()['subject']}  added {r.added.isoformat()}"
        )
    if not config.signers and not config.tsa_roots:
        echo("  (empty: nothing is trusted yet)")
    return EXIT_OK


def _cmd_trust_add(args: argparse.Namespace) -> int:
    from eevidence._cli._options import now_of  # noqa: PLC0415
    from eevidence.custody import add_trusted_key  # noqa: PLC0415

    key = load_public_key(args.public_key)
    signer, added = add_trusted_key(
        key, now=now_of(args), reason=args.reason or f"added by hand from {args.public_key}"
    )
    state = "trusted" if added else "already trusted since " + signer.added.isoformat()
    echo(f"key {signer.keyid} {state}")
    return EXIT_OK


def _cmd_trust_add_root(args: argparse.Namespace) -> int:
    from eevidence._cli._options import now_of  # noqa: PLC0415
    from eevidence.custody import add_tsa_root  # noqa: PLC0415

    cert = certificate_of(args.certificate)
    root, added = add_tsa_root(
        cert, now=now_of(args), reason=args.reason or f"added by hand from {args.certificate}"
    )
    state = "trusted" if added else "already trusted since " + root.added.isoformat()
    echo(f"TSA root {root.sha256} ({root.to_dict()['subject']}) {state}")
    return EXIT_OK
