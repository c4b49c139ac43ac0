"""The portal channel: an upload bundle (package, letters, a checklist of what to paste where)
for a provider's web portal or form. Nothing counts as submitted until the user confirms the
upload with the reference the portal gave (:func:`confirm_portal`)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import Self

from eevidence._internal.fs import write_atomic
from eevidence.errors import InputError
from eevidence.letter import catalogue
from eevidence.package import Reader, reading
from eevidence.provider import Channel
from eevidence.request import Identifier, LegalBasis
from eevidence.submit._answer import ProviderStatus, parse_answer
from eevidence.submit._channel import ChannelName, SubmissionReceipt
from eevidence.submit._outgoing import OutgoingPackage
from eevidence.tracking import as_utc

__all__ = ["PortalChannel", "basis_text", "confirm_portal", "identifier_text"]

_OWN_ARTICLE = re.compile(r"(\d+)(\([a-z0-9]+\))?$")
"""The article an instrument's English name ends with (``..., article 29``, ``2703(f)``)."""


def basis_text(basis: LegalBasis) -> str:
    """A legal basis as people write it, in English: the instrument's name from the English
    letter catalogue, its article printed once, then its citation in brackets.

    ``budapest_art29`` with article ``29`` gives "Convention on Cybercrime (Budapest),
    article 29"; with ``29(3)``, "..., article 29(3)"; ``national_law`` with ``s. 1``,
    "National law, s. 1"; ``mla_treaty`` with ``4``, "Mutual legal assistance treaty,
    article 4".
    """
    name = catalogue("en")(f"instrument.{basis.instrument}")
    text = name
    article = basis.article
    if article:
        own = _OWN_ARTICLE.search(name)
        if own is not None and (article == own[0] or article.startswith(f"{own[1]}(")):
            text = name[: own.start()] + article  # the article is, or narrows, the name's own
        elif article[0].isdigit():
            text = f"{name}, article {article}"
        else:  # the field names its own kind of provision: "s. 1", "§ 100a"
            text = f"{name}, {article}"
    return f"{text} ({basis.citation})" if basis.citation else text


def identifier_text(identifier: Identifier) -> str:
    """An identifier as the checklist lists it: its type, the service it belongs to when
    the identifier names one (a user name is unique only per service), and its value:
    ``username (Instagram): nightfall_2026``."""
    kind = identifier.type.replace("_", " ")
    service = getattr(identifier, "service", None)
    return f"{kind} ({service}): {identifier.value}" if service else f"{kind}: {identifier.value}"


class PortalChannel:
    """An upload bundle for a web portal or form; nothing is submitted until confirmed.

    Args:
        channel: the profile's ``portal`` or ``web_form`` entry (its name, URL and
            requirements go into the checklist).
        out_dir: the folder for the bundle; ``None``: ``<package stem>-upload`` next to
            the package.
    """

    name: ChannelName = "portal"

    def __init__(self, channel: Channel, out_dir: str | os.PathLike[str] | None = None) -> None:
        self.channel = channel
        self.out_dir = Path(out_dir) if out_dir is not None else None

    def close(self) -> None:
        """Nothing to release (files are closed as they are written); for ``with`` blocks
        and code that closes any channel."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def bundle_dir(self, outgoing: OutgoingPackage) -> Path:
        """The folder the bundle for ``outgoing`` is written to."""
        if self.out_dir is not None:
            return self.out_dir
        return outgoing.path.with_name(f"{outgoing.path.stem}-upload")

    def checklist(self, outgoing: OutgoingPackage) -> str:
        """The checklist (plain text): the portal's requirements, the fields to fill in from
        the request, the files to upload, and the command that records the upload."""
        r = outgoing.request
        c = self.channel
        lines = [
            f"Upload checklist for {c.name}" + (f" ({c.url})" if c.url else ""),
            "",
        ]
        if c.requirements:
            lines += ["Before you start, the portal requires:"]
            lines += [f"  - {req.replace('_', ' ')}" for req in c.requirements]
            lines.append("")
        period = f"{r.period.start.isoformat()} to {r.period.end.isoformat()}" if r.period else "-"
        fields = [
            ("Request type", r.kind.replace("_", " ")),
            ("Requesting authority", f"{r.authority.name}, {r.authority.unit}"),
            ("Country", r.authority.country),
            (
                "Officer",
                f"{r.authority.officer.name} ({r.authority.officer.role}), "
                f"{r.authority.officer.email}, {r.authority.officer.phone}",
            ),
            ("Case reference", r.case.reference),
            ("Offence", r.case.offence_description),
            ("Statute", r.case.statutory_citation),
            ("Legal basis", "; ".join(basis_text(lb) for lb in r.legal_basis)),
            ("Data requested", ", ".join(r.data.categories)),
            ("Period", period),
        ]
        lines.append("Fields to fill in:")
        lines += [f"  {label + ':':<22} {value}" for label, value in fields]
        lines.append("  Account identifiers:")
        lines += [f"    - {identifier_text(i)}" for i in r.identifiers]
        if r.confidentiality is not None:
            lines.append(f"  {'Non-disclosure:':<22} yes ({r.confidentiality.reason})")
        lines += ["", "Files to upload:"]
        lines.append(f"  - {outgoing.name}  (SHA-256 {outgoing.sha256})")
        lines += [f"  - {name}" for name in outgoing.documents]
        lines += [
            "",
            "When the portal has accepted the upload, record it with the reference it gives:",
            f"  eevidence submit {outgoing.name} --channel portal --confirm REFERENCE",
            "",
        ]
        return "\n".join(lines)

    def submit(self, outgoing: OutgoingPackage, *, now: datetime) -> SubmissionReceipt:
        """Write the bundle: the package's documents, the package itself and
        ``CHECKLIST.txt``, each readable by the user only (mode 0600).

        Args:
            outgoing: the package to upload.
            now: the time (time-zone aware).

        Returns:
            A receipt with ``submitted`` false and the bundle folder as destination.

        Raises:
            LifecycleError: ``now`` has no time zone.
            InputError: the bundle folder or a file in it cannot be written.
            PackageError: a document cannot be read from the package.
        """
        as_utc(now, "now")
        bundle = self.bundle_dir(outgoing)
        try:
            bundle.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot create the folder: {exc.strerror or exc}", source=str(bundle)
            ) from None
        if outgoing.documents:  # first: the package and checklist win a clash of names
            with reading(outgoing.path) as reader:
                for name in outgoing.documents:
                    _copy_out(reader, f"data/documents/{name}", bundle / name)
        write_atomic(bundle / outgoing.name, outgoing.data, mode=0o600)
        write_atomic(bundle / "CHECKLIST.txt", self.checklist(outgoing).encode(), mode=0o600)
        return SubmissionReceipt(
            "portal",
            outgoing.request.id,
            outgoing.sha256,
            False,
            str(bundle),
            detail=f"upload bundle for {self.channel.name}",
        )


def _copy_out(reader: Reader, member: str, target: Path) -> None:
    """Stream one package member to ``target`` (mode 0600) through a temporary file."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise InputError(f"cannot write file: {exc.strerror or exc}", source=str(target)) from None
    try:
        with os.fdopen(fd, "wb") as out, reader.open(member) as src:
            shutil.copyfileobj(src, out, 1 << 20)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError | zipfile.BadZipFile | zlib.error | EOFError):
            raise InputError(
                f"cannot copy {member} out of the package: {exc}", source=str(target)
            ) from None
        raise


def confirm_portal(outgoing: OutgoingPackage, ref: str, *, portal: str) -> SubmissionReceipt:
    """The user uploaded the package to the portal, which gave reference ``ref``.

    Args:
        outgoing: the package uploaded.
        ref: the portal's reference (surrounding spaces are dropped).
        portal: the portal (its URL or name), recorded as the destination.

    Returns:
        A receipt with ``submitted`` true and the reference as the provider's.

    Raises:
        InputError: the reference is empty.
        MalformedAnswerError: the reference is too long (over 200 characters) or has
            control characters.
    """
    if not ref.strip():
        raise InputError("the portal reference is empty", source="--confirm")
    status = parse_answer(json.dumps({"reference": ref}).encode(), source="--confirm")
    return SubmissionReceipt(
        "portal", outgoing.request.id, outgoing.sha256, True, portal, ProviderStatus(status.ref)
    )
