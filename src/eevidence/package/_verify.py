"""Verifying and inspecting a package: fixity (RFC 8493 section 3) and DSSE signatures.

Verification never trusts a key id or a path written in the package: keys come from the
caller's :class:`~eevidence.crypto.TrustStore`, every path is checked before anything is
read, and the envelope's payload must be byte-for-byte the tag manifest that pins the
other files. Nothing here imports the request models (a package is verified as bytes).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from typing import Final

from eevidence.crypto import Envelope, TrustStore, verify_signature
from eevidence.errors import (
    InputError,
    PackageError,
    PackageTrustError,
    PackageVerificationError,
)
from eevidence.package._bag import PackageLimits, Reader, reading
from eevidence.package._hash import Progress, hash_entries
from eevidence.package._layout import PAYLOAD_TYPE, SIGNATURE_FILE, SIZES_FILE, TAGMANIFEST
from eevidence.package._report import (
    FileResult,
    FileStatus,
    PackageInfo,
    SignatureResult,
    StructuralProblem,
    VerificationReport,
)
from eevidence.package._tagfiles import HASH_ALGORITHMS, parse_bag_info, parse_manifest

__all__ = [
    "check_files",
    "inspect_package",
    "package_report",
    "parse_tags",
    "verify_package",
]

_READ_TAGS: Final = frozenset(
    {"bagit.txt", "bag-info.txt", SIZES_FILE, SIGNATURE_FILE}
    | {f"{kind}-{alg}.txt" for kind in ("manifest", "tagmanifest") for alg in HASH_ALGORITHMS}
)


@dataclass
class _Parsed:
    """What the tag files of a bag say (before any payload is hashed)."""

    manifests: dict[str, dict[str, str]] = field(default_factory=dict)
    tagmanifests: dict[str, dict[str, str]] = field(default_factory=dict)
    tag_bytes: dict[str, bytes] = field(default_factory=dict)
    top_level: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)
    info: list[tuple[str, str]] = field(default_factory=list)
    envelope: Envelope | None = None
    problems: list[StructuralProblem] = field(default_factory=list)

    def problem(self, code: str, message: str) -> None:
        self.problems.append(StructuralProblem(code, message))


def parse_tags(reader: Reader, limits: PackageLimits) -> _Parsed:
    parsed = _Parsed()
    entries = reader.entries()
    if "bagit.txt" not in entries:
        raise PackageError("no bagit.txt: not a BagIt bag", code="not_a_bag", source=reader.source)
    # Only the tag files this format reads are loaded (each under the size limit); any other
    # top-level file is hashed as a stream if a tag manifest pins it, else reported.
    for name in sorted(entries):
        if "/" in name:
            continue
        parsed.top_level.append(name)
        if name in _READ_TAGS:
            parsed.tag_bytes[name] = reader.read_bytes(name, limits.max_tag_file_size)
        elif name.startswith(("manifest-", "tagmanifest-")) and name.endswith(".txt"):
            parsed.problem("unsupported_algorithm", f"{name}: only sha256 and sha512")
    declaration, _ = parse_bag_info(parsed.tag_bytes["bagit.txt"])
    decl = dict(declaration)
    if decl.get("BagIt-Version") not in {"1.0", "0.97"}:
        parsed.problem("bad_declaration", "bagit.txt: BagIt-Version must be 1.0 (or 0.97)")
    if decl.get("Tag-File-Character-Encoding", "").upper() != "UTF-8":
        parsed.problem("bad_declaration", "bagit.txt: Tag-File-Character-Encoding must be UTF-8")
    for name, data in parsed.tag_bytes.items():
        for prefix, target in (
            ("manifest-", parsed.manifests),
            ("tagmanifest-", parsed.tagmanifests),
        ):
            if name.startswith(prefix) and name.endswith(".txt"):
                alg = name[len(prefix) : -4]  # one of HASH_ALGORITHMS (see _READ_TAGS)
                found, problems = parse_manifest(data, alg, name=name)
                for p in problems:
                    parsed.problem("malformed_manifest", p)
                target[alg] = found
    if not parsed.manifests:
        parsed.problem("no_manifest", "no manifest-sha256.txt or manifest-sha512.txt")
    for alg, found in parsed.manifests.items():
        for path in found:
            if not path.startswith("data/"):
                parsed.problem(
                    "malformed_manifest", f"manifest-{alg}.txt lists {path!r} outside data/"
                )
    for alg, found in parsed.tagmanifests.items():
        for path in found:
            if path.startswith("data/") or path.startswith("tagmanifest-"):
                parsed.problem("malformed_manifest", f"tagmanifest-{alg}.txt lists {path!r}")
    if "bag-info.txt" in parsed.tag_bytes:
        parsed.info, problems = parse_bag_info(parsed.tag_bytes["bag-info.txt"])
        for p in problems:
            parsed.problem("malformed_bag_info", p)
    if SIZES_FILE in parsed.tag_bytes:
        _parse_sizes(parsed)
    if SIGNATURE_FILE in parsed.tag_bytes:
        try:
            parsed.envelope = Envelope.from_bytes(
                parsed.tag_bytes[SIGNATURE_FILE], source=SIGNATURE_FILE
            )
        except PackageError as exc:
            parsed.problem(exc.code, str(exc.args[0]))
    return parsed


def _parse_sizes(parsed: _Parsed) -> None:
    try:
        text = parsed.tag_bytes[SIZES_FILE].decode("utf-8")
    except UnicodeDecodeError:
        parsed.problem("malformed_manifest", f"{SIZES_FILE}: not UTF-8")
        return
    for lineno, line in enumerate(text.splitlines(), 1):
        size, _, path = line.partition(" ")
        if not size.isdigit() or not path:
            parsed.problem(
                "malformed_manifest", f"{SIZES_FILE} line {lineno}: expected 'SIZE PATH'"
            )
            continue
        parsed.sizes[path] = int(size)


def check_files(
    reader: Reader, parsed: _Parsed, workers: int | None, progress: Progress | None
) -> list[FileResult]:
    entries = reader.entries()
    results: list[FileResult] = []
    # Tag files: every file outside data/ must be pinned by a tag manifest, except the tag
    # manifests themselves and the signature envelope (which signs the sha256 tag manifest).
    pinned: set[str] = set()
    streamed: dict[str, list[tuple[str, str]]] = {}
    for alg, listed in parsed.tagmanifests.items():
        for path, expected in sorted(listed.items()):
            pinned.add(path)
            data = parsed.tag_bytes.get(path)
            if data is not None:
                found = hashlib.new(alg, data).hexdigest()
                status: FileStatus = "ok" if found == expected else "digest_mismatch"
                results.append(FileResult(path, status, alg, expected, found))
            elif path in entries:
                streamed.setdefault(path, []).append((alg, expected))
            else:
                results.append(FileResult(path, "missing", alg, expected))
    tag_hashes = hash_entries(reader, {p: [a for a, _ in v] for p, v in streamed.items()})
    for path, checks in sorted(streamed.items()):
        outcome = tag_hashes[path]
        if isinstance(outcome, PackageError):
            results.append(FileResult(path, "unreadable", found=str(outcome.args[0])))
            continue
        for alg, expected in checks:
            found = outcome[0][alg]
            status = "ok" if found == expected else "digest_mismatch"
            results.append(FileResult(path, status, alg, expected, found))
    for name in sorted(n for n in entries if not n.startswith("data/")):
        if name in pinned or name == SIGNATURE_FILE or name.startswith("tagmanifest-"):
            continue
        results.append(FileResult(name, "unexpected"))
    # Payload files.
    listed_algs: dict[str, list[str]] = {}
    for alg, listed in sorted(parsed.manifests.items()):
        for path in listed:
            listed_algs.setdefault(path, []).append(alg)
    payload = {n for n in entries if n.startswith("data/")}
    for name in sorted(payload - listed_algs.keys()):
        results.append(FileResult(name, "unexpected"))
    wanted: dict[str, tuple[str, ...]] = {}
    for path, algs in sorted(listed_algs.items()):
        if path not in entries:
            results.append(FileResult(path, "missing", algs[0], parsed.manifests[algs[0]][path]))
            continue
        expected_size = parsed.sizes.get(path)
        if expected_size is not None and expected_size != entries[path]:
            results.append(
                FileResult(path, "size_mismatch", "size", str(expected_size), str(entries[path]))
            )
            continue
        wanted[path] = tuple(algs)
    hashed = hash_entries(reader, wanted, workers=workers, progress=progress)
    for path in sorted(wanted):
        outcome = hashed.pop(path)
        if isinstance(outcome, PackageError):
            results.append(FileResult(path, "unreadable", found=str(outcome.args[0])))
            continue
        digests, _size = outcome
        bad = [a for a in wanted[path] if digests[a] != parsed.manifests[a][path]]
        if bad:
            a = bad[0]
            results.append(
                FileResult(path, "digest_mismatch", a, parsed.manifests[a][path], digests[a])
            )
        else:
            alg = wanted[path][0]
            results.append(FileResult(path, "ok", alg, parsed.manifests[alg][path]))
    for path in sorted(set(parsed.sizes) - set(listed_algs)):
        parsed.problem("malformed_manifest", f"{SIZES_FILE} lists {path!r}, no manifest does")
    oxum = dict(parsed.info).get("Payload-Oxum")
    if oxum is not None:
        total = sum(entries[n] for n in payload)
        if oxum != f"{total}.{len(payload)}":
            parsed.problem(
                "oxum_mismatch", f"Payload-Oxum {oxum} but payload is {total}.{len(payload)}"
            )
    results.sort(key=lambda r: r.path)
    return results


def _check_signatures(
    parsed: _Parsed, trust: TrustStore
) -> tuple[list[SignatureResult], list[str]]:
    env = parsed.envelope
    if env is None:
        return [], []
    if env.payload_type != PAYLOAD_TYPE:
        parsed.problem("wrong_payload_type", f"envelope payload type {env.payload_type!r}")
    if parsed.tag_bytes.get(TAGMANIFEST) != env.payload:
        parsed.problem(
            "signature_payload_mismatch",
            f"the signed payload is not the package's {TAGMANIFEST}",
        )
    if not env.signatures:
        parsed.problem("bad_envelope", "the envelope has no signature")
    signed = env.signed_bytes()
    results: list[SignatureResult] = []
    valid: list[str] = []
    for i, sig in enumerate(env.signatures):
        match = next(
            (
                k
                for k in trust.candidates(sig.keyid)
                if verify_signature(k.public_key, sig.sig, signed)
            ),
            None,
        )
        if match is not None:
            results.append(SignatureResult(i, "valid", sig.keyid, match.keyid, match.source))
            if match.keyid not in valid:
                valid.append(match.keyid)
        elif sig.keyid in trust:
            results.append(SignatureResult(i, "invalid", sig.keyid))
        else:
            results.append(SignatureResult(i, "unknown_key", sig.keyid))
    return results, valid


def package_report(
    path: str | os.PathLike[str],
    trust: TrustStore,
    *,
    threshold: int = 1,
    limits: PackageLimits | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> VerificationReport:
    """Verify a package and return the full report (never raises for a bad package).

    Fixity is checked as RFC 8493 section 3 describes (every manifest entry present with
    its digest, no unlisted payload file, the tag manifest pinning the tag files, the
    Payload-Oxum), plus the sizes in ``payload-sizes.txt``. Each signature of the DSSE
    envelope is checked against every key of ``trust`` (the key id written in the package is
    only a hint), and the envelope's payload must be the package's tag manifest.

    Args:
        path: A package directory or zip file.
        trust: The keys accepted as signers.
        threshold: Distinct trusted keys that must have signed (at least 1).
        limits: Bounds checked before reading; ``None`` for the defaults.
        workers: Threads hashing payload files; ``None`` for the CPU count (up to 8).
        progress: Called with the number of payload bytes hashed, from worker threads.

    Returns:
        The :class:`VerificationReport`; a package that cannot be read at all gives a
        report with ``form`` ``None`` and the reason in ``problems``.

    Raises:
        InputError: ``threshold`` is below 1 (a caller mistake, not a package problem).
    """
    if threshold < 1:
        raise InputError(f"threshold must be at least 1, got {threshold}")
    source = str(path)
    try:
        with reading(path, limits) as reader:
            parsed = parse_tags(reader, limits or PackageLimits())
            files = check_files(reader, parsed, workers, progress)
            sigs, valid = _check_signatures(parsed, trust)
            form = reader.form
    except PackageError as exc:
        return VerificationReport(
            source=source,
            form=None,
            threshold=threshold,
            problems=(StructuralProblem(exc.code, str(exc.args[0])),),
        )
    return VerificationReport(
        source=source,
        form=form,
        files=tuple(files),
        signatures=tuple(sigs),
        signed=parsed.envelope is not None,
        threshold=threshold,
        valid_signers=tuple(valid),
        problems=tuple(parsed.problems),
        info=tuple(parsed.info),
    )


def verify_package(
    path: str | os.PathLike[str],
    trust: TrustStore,
    *,
    threshold: int = 1,
    limits: PackageLimits | None = None,
    workers: int | None = None,
) -> VerificationReport:
    """Like :func:`package_report`, but raise unless the package verifies.

    Args:
        path: A package directory or zip file.
        trust: The keys accepted as signers.
        threshold: Distinct trusted keys that must have signed (at least 1).
        limits: Bounds checked before reading; ``None`` for the defaults.
        workers: Threads hashing payload files; ``None`` for the CPU count (up to 8).

    Returns:
        The report, whose ``ok`` is true.

    Raises:
        PackageTrustError: The package is intact (fixity holds, the envelope signs the tag
            manifest, no signature by a trusted key fails) but fewer than ``threshold``
            distinct trusted keys signed it: a :class:`~eevidence.errors.TrustError`, and
            a :class:`~eevidence.errors.PackageVerificationError` as below.
        PackageVerificationError: The report is not ok otherwise: the package is altered,
            malformed, unreadable, unsigned, or a signature by a trusted key does not verify
            (an :class:`~eevidence.errors.IntegrityError`; its ``report`` attribute holds
            the full report, its message the first reasons).
        InputError: ``threshold`` is below 1.
    """
    report = package_report(path, trust, threshold=threshold, limits=limits, workers=workers)
    if not report.ok:
        error = PackageTrustError if _untrusted_only(report) else PackageVerificationError
        raise error(report, source=str(path), reasons=report.reasons())
    return report


def _untrusted_only(report: VerificationReport) -> bool:
    """Whether the only thing wrong is who signed: the package is intact and signed, no
    signature by a trusted key fails, but too few trusted keys signed it."""
    return (
        report.fixity_ok
        and report.signed
        and not report.policy_met
        and all(s.status != "invalid" for s in report.signatures)
    )


def inspect_package(
    path: str | os.PathLike[str], *, limits: PackageLimits | None = None
) -> PackageInfo:
    """Read a package's metadata and file list without verifying anything.

    Only the tag files are read (each up to ``limits.max_tag_file_size`` bytes); no payload
    file is hashed and no signature is checked.

    Args:
        path: A package directory or zip file.
        limits: Bounds checked before reading; ``None`` for the defaults.

    Returns:
        What the package says about itself (:class:`PackageInfo`, unverified).

    Raises:
        PackageError: The package cannot be read: not a bag (``not_a_bag``), an unsafe or
            oversized entry (the codes of :func:`open_reader`), a tag file too large
            (``too_large``) or unreadable.
    """
    with reading(path, limits) as reader:
        parsed = parse_tags(reader, limits or PackageLimits())
        return PackageInfo(
            source=str(path),
            form=reader.form,
            info=tuple(parsed.info),
            files=tuple(sorted(reader.entries().items())),
            keyid_hints=tuple(s.keyid for s in parsed.envelope.signatures)
            if parsed.envelope
            else (),
        )
