"""Signed request packages: BagIt 1.0 bags (RFC 8493) with a DSSE signature envelope.

Layout (directory form; the zip form holds the same files under one ``<request id>/`` folder)::

    bagit.txt                  BagIt-Version 1.0, UTF-8
    bag-info.txt               request id, kind, provider, creation time, Payload-Oxum, software
    data/request.json          the canonical bytes of the request
    data/attachments/NAME      files the request lists in ``attachments``
    data/documents/NAME        rendered documents (letters) generated from the request
    manifest-sha256.txt        SHA-256 of every payload file
    payload-sizes.txt          size of every payload file (so a size change is named as such)
    tagmanifest-sha256.txt     SHA-256 of every tag file above: pins the whole package
    signature.dsse.json        DSSE envelope whose payload is the tag manifest's exact bytes,
                               one signature per signer

Verification (:func:`package_report`) never trusts a key id or a path written in the
package: keys come from the caller's :class:`TrustStore`, every path is checked, and the
envelope's payload must be byte-for-byte the tag manifest that pins the other files.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal

from eevidence._internal.fs import FILE_NAME, thread_buffer, write_atomic
from eevidence._version import __version__
from eevidence.crypto import (
    Envelope,
    EnvelopeSignature,
    Signer,
    TrustStore,
    key_id,
    verify_signature,
)
from eevidence.errors import InputError, PackageError, PackageVerificationError
from eevidence.package._bag import (
    CHUNK,
    HASH_ALGORITHMS,
    ZIP_ERRORS,
    PackageLimits,
    Reader,
    ZipReader,
    default_workers,
    encode_path,
    hash_entries,
    parse_bag_info,
    parse_manifest,
    reading,
)

if TYPE_CHECKING:
    from eevidence.request import Request

__all__ = [
    "PAYLOAD_TYPE",
    "SIGNATURE_FILE",
    "FileResult",
    "PackageInfo",
    "PackageLimits",
    "SignatureResult",
    "StructuralProblem",
    "VerificationReport",
    "build_package",
    "inspect_package",
    "package_report",
    "sign_package",
    "verify_package",
]

PAYLOAD_TYPE: Final = "application/vnd.eevidence.package.v1+bagit-tagmanifest"
SIGNATURE_FILE: Final = "signature.dsse.json"
TAGMANIFEST: Final = "tagmanifest-sha256.txt"
SIZES_FILE: Final = "payload-sizes.txt"
BAGIT_TXT: Final = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
ZIP_FILE_MODE: Final = 0o100644 << 16
_NAME_RE: Final = re.compile(f"^{FILE_NAME}$")
_READ_TAGS: Final = frozenset(
    {"bagit.txt", "bag-info.txt", SIZES_FILE, SIGNATURE_FILE}
    | {f"{kind}-{alg}.txt" for kind in ("manifest", "tagmanifest") for alg in HASH_ALGORITHMS}
)

Progress = Callable[[int], None]
FileStatus = Literal[
    "ok", "missing", "unexpected", "size_mismatch", "digest_mismatch", "unreadable"
]
SignatureStatus = Literal["valid", "invalid", "unknown_key"]


# --------------------------------------------------------------------------- reports


@dataclass(frozen=True, slots=True)
class FileResult:
    """The fixity result of one file: expected and found values when they differ."""

    path: str
    status: FileStatus
    algorithm: str | None = None
    expected: str | None = None
    found: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "status": self.status}
        for k in ("algorithm", "expected", "found"):
            if getattr(self, k) is not None:
                out[k] = getattr(self, k)
        return out


@dataclass(frozen=True, slots=True)
class SignatureResult:
    """One signature of the envelope.

    ``keyid_hint`` is what the package says; ``keyid`` is the id computed from the trusted key
    that verified the signature (None unless ``status`` is ``valid``).
    """

    index: int
    status: SignatureStatus
    keyid_hint: str
    keyid: str | None = None
    trusted_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "keyid_hint": self.keyid_hint,
            "keyid": self.keyid,
            "trusted_source": self.trusted_source,
        }


@dataclass(frozen=True, slots=True)
class StructuralProblem:
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class VerificationReport:
    """Everything :func:`package_report` found; ``ok`` only when every part holds."""

    source: str
    form: str | None
    files: tuple[FileResult, ...] = ()
    signatures: tuple[SignatureResult, ...] = ()
    signed: bool = False
    threshold: int = 1
    valid_signers: tuple[str, ...] = ()
    problems: tuple[StructuralProblem, ...] = ()
    info: tuple[tuple[str, str], ...] = ()

    @property
    def fixity_ok(self) -> bool:
        return not self.problems and bool(self.files) and all(f.status == "ok" for f in self.files)

    @property
    def policy_met(self) -> bool:
        return self.signed and len(self.valid_signers) >= self.threshold

    @property
    def ok(self) -> bool:
        return self.fixity_ok and self.policy_met

    def reasons(self) -> list[str]:
        """Why the report is not ok, one short line per reason (empty when ok)."""
        out = [f"{p.code}: {p.message}" for p in self.problems]
        if self.form is None:
            return out  # the package could not be read: nothing else was evaluated
        out += [f"{f.status}: {f.path}" for f in self.files if f.status != "ok"]
        out += [f"signature {s.index} {s.status}" for s in self.signatures if s.status != "valid"]
        if not self.signed:
            out.append("unsigned: the package has no signature envelope")
        elif not self.policy_met:
            out.append(
                f"threshold_not_met: {len(self.valid_signers)} valid trusted signature(s), "
                f"{self.threshold} required"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "form": self.form,
            "ok": self.ok,
            "fixity_ok": self.fixity_ok,
            "signed": self.signed,
            "policy": {
                "threshold": self.threshold,
                "valid_signers": list(self.valid_signers),
                "met": self.policy_met,
            },
            "problems": [p.to_dict() for p in self.problems],
            "files": [f.to_dict() for f in self.files],
            "signatures": [s.to_dict() for s in self.signatures],
            "info": dict(self.info),
            "reasons": self.reasons(),
        }


# --------------------------------------------------------------------------- building


@dataclass
class _PayloadItem:
    rel: str
    data: bytes | None = None
    path: Path | None = None
    size: int = 0
    digest: str = ""


def _check_name(name: str, what: str) -> None:
    if not _NAME_RE.match(name) or name.endswith((".", " ")):
        raise PackageError(
            f"{what} name {name!r} is not a plain file name (letters, digits, '.', '_', '-', "
            "space)",
            code="bad_name",
        )


def _collect(
    request: Request,
    attachments: Sequence[str | os.PathLike[str]],
    documents: Sequence[str | os.PathLike[str] | tuple[str, bytes]],
) -> list[_PayloadItem]:
    from eevidence.request import canonical_bytes  # noqa: PLC0415 - verification stays light

    items = [_PayloadItem("data/request.json", data=canonical_bytes(request))]
    declared = {a.name: a for a in request.attachments}
    seen: set[str] = set()
    for raw in attachments:
        p = Path(raw)
        _check_name(p.name, "attachment")
        if p.name.casefold() in seen:
            raise PackageError(f"two attachments are named {p.name!r}", code="bad_name")
        seen.add(p.name.casefold())
        if p.name not in declared:
            raise PackageError(
                f"attachment {p.name!r} is not listed in the request's attachments",
                code="undeclared_attachment",
                source=str(p),
            )
        items.append(_PayloadItem(f"data/attachments/{p.name}", path=p))
    missing = sorted(n for n in declared if n.casefold() not in seen)
    if missing:
        raise PackageError(
            f"the request lists attachments that were not given: {', '.join(missing)} "
            "(give each with --attach FILE)",
            code="missing_attachment",
            source=f"request {request.id}",
        )
    seen_docs: set[str] = set()
    for doc in documents:
        if isinstance(doc, tuple):
            name, data = doc
            item = _PayloadItem(f"data/documents/{name}", data=data)
        else:
            name = Path(doc).name
            item = _PayloadItem(f"data/documents/{name}", path=Path(doc))
        _check_name(name, "document")
        if name.casefold() in seen_docs:
            raise PackageError(f"two documents are named {name!r}", code="bad_name")
        seen_docs.add(name.casefold())
        items.append(item)
    for item in items:
        if item.data is not None:
            item.size = len(item.data)
            continue
        assert item.path is not None  # noqa: S101 - set above for every non-bytes item
        try:
            st = item.path.stat()
        except OSError as exc:
            raise PackageError(
                f"cannot read: {exc.strerror or exc}", code="unreadable", source=str(item.path)
            ) from None
        if not item.path.is_file():
            raise PackageError("not a regular file", code="unreadable", source=str(item.path))
        item.size = st.st_size
    for item in items:
        att = declared.get(item.rel.removeprefix("data/attachments/"))
        if item.rel.startswith("data/attachments/") and att is not None and att.sha256:
            item.digest = att.sha256  # checked against the copied bytes
    return items


def _bag_info(request: Request, items: Sequence[_PayloadItem], now: datetime) -> bytes:
    total = sum(i.size for i in items)
    lines = [
        ("Bag-Software-Agent", f"eevidence {__version__}"),
        ("Bagging-Date", now.date().isoformat()),
        ("External-Identifier", request.id),
        ("Payload-Oxum", f"{total}.{len(items)}"),
        ("EEvidence-Request-Kind", request.kind),
        ("EEvidence-Provider", request.provider),
        ("EEvidence-Request-Created", request.created_at.isoformat()),
        ("EEvidence-Package-Created", now.isoformat()),
        ("EEvidence-Package-Format", "1"),
    ]
    return "".join(f"{k}: {v}\n" for k, v in lines).encode("utf-8")


def _manifest(digests: dict[str, str]) -> bytes:
    return "".join(f"{digests[p]}  {encode_path(p)}\n" for p in sorted(digests)).encode("utf-8")


def _sign_envelope(tagmanifest: bytes, signers: Sequence[Signer]) -> Envelope:
    env = Envelope(PAYLOAD_TYPE, tagmanifest, ())
    for s in signers:
        env = env.with_signature(
            EnvelopeSignature(key_id(s.public_key), s.sign(env.signed_bytes()))
        )
    return env


class _Writer:
    """Writes files of a package in sorted order, copying and hashing payloads in one pass."""

    def write_bytes(self, rel: str, data: bytes) -> None:
        raise NotImplementedError

    def write_file(self, rel: str, src: Path, size: int, progress: Progress | None) -> str:
        raise NotImplementedError


def _copy_hash(src: Path, dst: IO[bytes], size: int, progress: Progress | None) -> str:
    h = hashlib.sha256()
    buf = thread_buffer()
    copied = 0
    try:
        with src.open("rb", buffering=0) as fh:
            while n := fh.readinto(buf):
                h.update(buf[:n])
                dst.write(buf[:n])
                copied += n
                if progress is not None:
                    progress(n)
    except OSError as exc:
        raise PackageError(
            f"cannot read: {exc.strerror or exc}", code="unreadable", source=str(src)
        ) from None
    if copied != size:
        raise PackageError(
            "file changed size while being packaged", code="unreadable", source=str(src)
        )
    return h.hexdigest()


class _DirWriter(_Writer):
    def __init__(self, root: Path) -> None:
        self.root = root

    def _target(self, rel: str) -> Path:
        p = self.root.joinpath(*rel.split("/"))
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_bytes(self, rel: str, data: bytes) -> None:
        with self._target(rel).open("xb") as fh:
            fh.write(data)

    def write_file(self, rel: str, src: Path, size: int, progress: Progress | None) -> str:
        with self._target(rel).open("xb") as fh:
            return _copy_hash(src, fh, size, progress)


class _ZipWriter(_Writer):
    def __init__(self, zf: zipfile.ZipFile, prefix: str) -> None:
        self.zf = zf
        self.prefix = prefix

    def _info(self, rel: str, size: int) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(self.prefix + rel, date_time=ZIP_TIME)
        info.compress_type = zipfile.ZIP_STORED
        info.create_system = 3
        info.external_attr = ZIP_FILE_MODE
        info.file_size = size
        return info

    def write_bytes(self, rel: str, data: bytes) -> None:
        self.zf.writestr(self._info(rel, len(data)), data)

    def write_file(self, rel: str, src: Path, size: int, progress: Progress | None) -> str:
        with self.zf.open(self._info(rel, size), "w", force_zip64=size > 0x7FFF0000) as dst:
            return _copy_hash(src, dst, size, progress)


def _write_package(
    writer: _Writer,
    *,
    request: Request,
    items: list[_PayloadItem],
    signers: Sequence[Signer],
    now: datetime,
    progress: Progress | None,
) -> None:
    tags: dict[str, bytes] = {
        "bag-info.txt": _bag_info(request, items, now),
        "bagit.txt": BAGIT_TXT,
        SIZES_FILE: "".join(
            f"{i.size} {encode_path(i.rel)}\n" for i in sorted(items, key=lambda i: i.rel)
        ).encode("utf-8"),
    }
    writer.write_bytes("bag-info.txt", tags["bag-info.txt"])
    writer.write_bytes("bagit.txt", BAGIT_TXT)
    digests: dict[str, str] = {}

    def copy(item: _PayloadItem) -> tuple[str, str]:
        assert item.path is not None  # noqa: S101 - only file items are copied
        digest = writer.write_file(item.rel, item.path, item.size, progress)
        if item.digest and item.digest != digest:
            raise PackageError(
                f"attachment {item.path.name!r} does not match the sha256 the request gives for it",
                code="attachment_digest_mismatch",
                source=str(item.path),
            )
        return item.rel, digest

    files = [i for i in items if i.data is None]
    for item in items:
        if item.data is not None:
            digests[item.rel] = hashlib.sha256(item.data).hexdigest()
    if isinstance(writer, _DirWriter) and len(files) > 1:
        # Directory form: copy and hash files concurrently, largest first.
        for item in sorted(items, key=lambda i: i.rel):
            if item.data is not None:
                writer.write_bytes(item.rel, item.data)
        files.sort(key=lambda i: (-i.size, i.rel))
        with ThreadPoolExecutor(max_workers=default_workers()) as pool:
            digests.update(pool.map(copy, files))
    else:
        # Zip form: entries are written one after the other, in sorted order.
        for item in sorted(items, key=lambda i: i.rel):
            if item.data is not None:
                writer.write_bytes(item.rel, item.data)
            else:
                digests.update([copy(item)])
    tags["manifest-sha256.txt"] = _manifest(digests)
    writer.write_bytes("manifest-sha256.txt", tags["manifest-sha256.txt"])
    writer.write_bytes(SIZES_FILE, tags[SIZES_FILE])
    tagmanifest = _manifest({k: hashlib.sha256(v).hexdigest() for k, v in tags.items()})
    writer.write_bytes(SIGNATURE_FILE, _sign_envelope(tagmanifest, signers).to_bytes())
    writer.write_bytes(TAGMANIFEST, tagmanifest)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise InputError("'now' must be an aware datetime (with a UTC offset)")


def build_package(
    request: Request,
    out: str | os.PathLike[str],
    *,
    signers: Sequence[Signer],
    now: datetime,
    attachments: Sequence[str | os.PathLike[str]] = (),
    documents: Sequence[str | os.PathLike[str] | tuple[str, bytes]] = (),
    form: Literal["zip", "directory"] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Build a signed package at ``out`` (a ``.zip`` file, or a directory otherwise).

    ``attachments`` are the files the request lists (by file name; a sha256 given in the
    request is checked); ``documents`` are rendered documents (paths or ``(name, bytes)``).
    The package is written to a temporary name next to ``out`` and renamed when complete;
    an existing ``out`` is never overwritten. Zip entries are sorted, stored, dated
    1980-01-01 and mode 0644, so the same inputs, ``now`` and Ed25519 keys give the same bytes
    (ECDSA and RSA-PSS signatures are randomised, so their envelopes differ run to run).
    """
    _require_aware(now)
    if not signers:
        raise InputError("a package needs at least one signer")
    target = Path(out)
    kind = form or ("zip" if target.suffix.lower() == ".zip" else "directory")
    if target.exists() or target.is_symlink():
        raise PackageError(
            "refusing to overwrite an existing path", code="exists", source=str(target)
        )
    items = _collect(request, attachments, documents)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        if kind == "directory":
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
            try:
                _write_package(
                    _DirWriter(tmp),
                    request=request,
                    items=items,
                    signers=signers,
                    now=now,
                    progress=progress,
                )
                tmp.chmod(0o755)
                os.rename(tmp, target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        else:
            fd, tmpname = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
            try:
                with os.fdopen(fd, "w+b") as fh:
                    with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
                        _write_package(
                            _ZipWriter(zf, f"{request.id}/"),
                            request=request,
                            items=items,
                            signers=signers,
                            now=now,
                            progress=progress,
                        )
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmpname, 0o644)
                os.replace(tmpname, target)
            except BaseException:
                Path(tmpname).unlink(missing_ok=True)
                raise
    except OSError as exc:
        raise PackageError(
            f"cannot write package: {exc.strerror or exc}", code="unwritable", source=str(target)
        ) from None
    return target


# --------------------------------------------------------------------------- reading


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


def _parse_tags(reader: Reader, limits: PackageLimits) -> _Parsed:
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


def _check_files(
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

    ``threshold`` distinct trusted keys must have signed the envelope. Raises only for caller
    mistakes (a threshold below 1).
    """
    if threshold < 1:
        raise InputError(f"threshold must be at least 1, got {threshold}")
    source = str(path)
    try:
        with reading(path, limits) as reader:
            parsed = _parse_tags(reader, limits or PackageLimits())
            files = _check_files(reader, parsed, workers, progress)
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
    """Like :func:`package_report`, but raise :class:`PackageVerificationError` unless ok."""
    report = package_report(path, trust, threshold=threshold, limits=limits, workers=workers)
    if not report.ok:
        raise PackageVerificationError(report, source=str(path), reasons=report.reasons())
    return report


# --------------------------------------------------------------------------- inspect, co-sign


@dataclass(frozen=True)
class PackageInfo:
    """What a package says about itself (nothing here is verified)."""

    source: str
    form: str
    info: tuple[tuple[str, str], ...]
    files: tuple[tuple[str, int], ...]
    keyid_hints: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "form": self.form,
            "verified": False,
            "info": dict(self.info),
            "files": [{"path": p, "size": s} for p, s in self.files],
            "signature_keyid_hints": list(self.keyid_hints),
        }


def inspect_package(
    path: str | os.PathLike[str], *, limits: PackageLimits | None = None
) -> PackageInfo:
    """Read a package's metadata and file list without verifying anything."""
    with reading(path, limits) as reader:
        parsed = _parse_tags(reader, limits or PackageLimits())
        return PackageInfo(
            source=str(path),
            form=reader.form,
            info=tuple(parsed.info),
            files=tuple(sorted(reader.entries().items())),
            keyid_hints=tuple(s.keyid for s in parsed.envelope.signatures)
            if parsed.envelope
            else (),
        )


def sign_package(
    path: str | os.PathLike[str],
    signer: Signer,
    *,
    limits: PackageLimits | None = None,
    workers: int | None = None,
) -> Envelope:
    """Add ``signer``'s signature to a package (a co-signature, e.g. a validating authority).

    The package's fixity is checked first: nobody signs a package whose files do not match
    its manifests. The signature envelope is replaced atomically.
    """
    p = Path(path)
    with reading(p, limits) as reader:
        parsed = _parse_tags(reader, limits or PackageLimits())
        files = _check_files(reader, parsed, workers, None)
        bad = [f"{f.status}: {f.path}" for f in files if f.status != "ok"]
        bad += [f"{pr.code}: {pr.message}" for pr in parsed.problems]
        env = parsed.envelope
        if env is None:
            bad.append("no signature envelope (build the package with eevidence first)")
        elif env.payload != parsed.tag_bytes.get(TAGMANIFEST) or env.payload_type != PAYLOAD_TYPE:
            bad.append("the envelope does not sign this package's tag manifest")
        if bad:
            raise PackageError(
                "refusing to sign: " + "; ".join(bad[:5]), code="not_signable", source=str(p)
            )
        assert env is not None  # noqa: S101
        new_keyid = key_id(signer.public_key)
        if any(s.keyid == new_keyid for s in env.signatures):
            raise PackageError(
                "the package already carries a signature by this key",
                code="already_signed",
                source=str(p),
            )
        env = env.with_signature(EnvelopeSignature(new_keyid, signer.sign(env.signed_bytes())))
        if isinstance(reader, ZipReader):
            _rewrite_zip(p, reader, env.to_bytes())
        else:
            write_atomic(p / SIGNATURE_FILE, env.to_bytes())
    return env


def _rewrite_zip(path: Path, reader: ZipReader, envelope: bytes) -> None:
    """Copy a package zip file by file (in sorted order, as built), replacing the signature
    envelope, then rename the copy over the original."""
    parent = path.parent if str(path.parent) else Path(".")
    fd, tmpname = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "w+b") as fh:
            with zipfile.ZipFile(fh, "w", allowZip64=True) as dst:
                for name, size in sorted(reader.entries().items()):
                    new = zipfile.ZipInfo(reader.member_name(name), date_time=ZIP_TIME)
                    new.create_system = 3
                    new.external_attr = ZIP_FILE_MODE
                    if name == SIGNATURE_FILE:
                        dst.writestr(new, envelope)
                        continue
                    new.file_size = size
                    big = size > 0x7FFF0000
                    with reader.open(name) as r, dst.open(new, "w", force_zip64=big) as w:
                        shutil.copyfileobj(r, w, CHUNK)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmpname, 0o644)
        os.replace(tmpname, path)
    except BaseException as exc:
        Path(tmpname).unlink(missing_ok=True)
        if isinstance(exc, ZIP_ERRORS) and not isinstance(exc, PackageError):
            code = "unwritable" if isinstance(exc, OSError) else "corrupt_entry"
            raise PackageError(
                f"cannot rewrite the package: {exc}", code=code, source=str(path)
            ) from None
        raise
