"""Mutations of a genuine signed package, and the reference reading that says which are neutral.

``tests/test_package_mutations.py`` mutates the golden package (zip and directory form) and
asserts that a mutated package verifies only when the mutation is *semantically neutral*.
This module holds the three parts that test needs, written without any eevidence code so
that the oracle does not share the verifier's mistakes:

* a model of a zip file (:class:`Archive`: local headers, central directory, end record)
  that reproduces the golden zip byte for byte and can be edited field by field;
* mutations: of bytes (:class:`Flip`, :class:`Insert`, :class:`Delete`, :class:`Append`),
  of zip structure (:class:`SetField`, :class:`AddExtra`, :class:`SetComment`, ...) and of
  the bag's files (:class:`ChangeByte`, :class:`AddFile`, :class:`Rename`,
  :class:`EditLines`, ...);
* the neutrality oracle: :func:`zip_difference` and :func:`tree_difference` return ``None``
  for a neutral mutation and otherwise the first reason it is not.

What is neutral (narrowly: anything not listed here is *not* neutral)
--------------------------------------------------------------------

A package means its files, each under its name with its bytes, and the statement its
signatures make: this payload type and tag manifest, signed by these trusted keys. A
mutation is neutral when every reader (a central-directory zip reader, a streaming one, a
file system walk) still finds exactly the genuine files, names and bytes, the same signed
statement, and no other text. Only two things may change:

1. **How the envelope is spelled, not what it says.** ``signature.dsse.json`` is the one
   file no signature covers (it holds them). DSSE v1.0.2 makes JSON whitespace and key
   order, standard or URL-safe base64 with or without padding, unknown fields, the
   ``keyid`` hint (absent, ``null`` or any string) and the order of signatures
   meaningless ("Parsing rules" in ``envelope.md``; ``protocol.md``), and a verifier
   counts only the signatures a trusted key made. So the envelope is neutral when, read
   strictly (one UTF-8 JSON object without a duplicate key, canonical base64 in one
   alphabet), it has the genuine ``payloadType``, the genuine payload bytes, and the same
   trusted keys' signatures over their PAE hold (an added signature no trusted key made,
   or a copy of one, changes nothing). Every other file is pinned, directly or through
   the payload manifest, by the signed tag manifest, so no other byte may change:
   re-ordering the lines of ``bag-info.txt`` or changing its line endings is *not* neutral.
2. **Zip metadata no reader derives a file, a name, a byte or visible text from**: the
   modification time and date (local and central); the "version made by" (zip version
   and host system) with the external attributes, as long as every reader still sees a
   regular file (Unix mode type regular or unset, and for hosts whose attributes readers
   take as MS-DOS ones, no folder 0x10 or volume label 0x08 attribute); Unix permission
   bits; the internal attributes; a "version needed to extract" of at most 4.5 (45, ZIP64,
   the highest feature a package may use: Info-ZIP UnZip 6.0 skips an entry that needs
   more than 4.6, and other readers may refuse above what they know); the deflate option
   flags (bits 1-2) and the UTF-8 flag (bit 11) when the name reads the same; storing an
   entry deflated (the same bytes once inflated); the order of the entries and of the
   central records; a folder entry for a folder that holds files; extra fields that only
   carry a file's times or owner (0x5455 extended timestamp, 0x7875 Unix UID/GID, 0x000a
   NTFS times).

Everything else is not neutral, in particular: a byte the zip structure does not account
for (before, between or after entries, between the central directory and the end record,
after the end record); an archive or entry comment (``unzip`` prints the first before
anything else, ``unzip -l`` and ``zipinfo`` the second: unsigned text next to a verified
package); any other extra field (an Info-ZIP Unicode comment 0x6375 is more unsigned text,
and ``unzip`` turns a file into a symbolic link from an ASi Unix field 0x756e when the
external attributes hold no mode); any other general purpose flag (Python's zipfile refuses
"compressed patched data", bit 5); a data descriptor; ZIP64 fields or records; local
headers that disagree with the central directory; a wrong CRC-32; an entry only one kind of
zip reader sees; a folder no file is in (an unsigned name, in the zip or the directory
form); a symbolic link; a file added, removed or renamed (case, trailing space, Unicode
normal form); a renamed top-level folder of the zip.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

SIGNATURE: Final = "signature.dsse.json"

# --------------------------------------------------------------------------- genuine packages


@dataclass(frozen=True)
class Genuine:
    """A genuine signed package in both forms.

    Attributes:
        zip_bytes: The zip form, as built.
        root: The zip's top-level folder, with its trailing ``/``.
        files: The bag's files (the directory form): ``{path relative to the bag root: bytes}``.
    """

    zip_bytes: bytes = field(repr=False)
    root: str
    files: Mapping[str, bytes] = field(repr=False)
    keys: tuple[Ed25519PublicKey, ...] = field(repr=False)


def genuine_from_zip(data: bytes, trust: Path) -> Genuine:
    """The two forms of a package built as a zip (its entries all sit under one folder),
    with the Ed25519 public keys (PEM files) in the folder ``trust``."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        root = names[0].split("/", 1)[0] + "/"
        files = {n[len(root) :]: zf.read(n) for n in names}
    keys = []
    for pem in sorted(trust.glob("*.pem")):
        key = load_pem_public_key(pem.read_bytes())
        assert isinstance(key, Ed25519PublicKey)  # the test keys are Ed25519
        keys.append(key)
    return Genuine(data, root, files, tuple(keys))


def write_tree(
    files: Mapping[str, bytes],
    out: Path,
    folders: Iterable[str] = (),
    links: Mapping[str, str] | None = None,
) -> Path:
    """Write a bag's files, extra empty folders and symbolic links (``{path: target}``)
    under ``out``; returns ``out``."""
    out.mkdir(parents=True)
    for rel, data in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for rel in folders:
        (out / rel).mkdir(parents=True, exist_ok=True)
    for rel, to in (links or {}).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).symlink_to(to)
    return out


# --------------------------------------------------------------------------- zip model

_LOCAL: Final = struct.Struct("<4sHHHHHLLLHH")  # APPNOTE 4.3.7, 30 bytes
_CENTRAL: Final = struct.Struct("<4sHHHHHHLLLHHHHHLL")  # APPNOTE 4.3.12, 46 bytes
_END: Final = struct.Struct("<4sHHHHLLH")  # APPNOTE 4.3.16, 22 bytes
_ZIP_TIME: Final = 0  # 00:00:00
_ZIP_DATE: Final = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01, the earliest zip allows


@dataclass(frozen=True)
class Local:
    """A local file header (APPNOTE 4.3.7); the name and extra lengths follow the bytes."""

    needed: int
    flags: int
    method: int
    time: int
    date: int
    crc: int
    csize: int
    usize: int
    name: bytes
    extra: bytes = b""

    def pack(self) -> bytes:
        ints = astuple(self)[:8]
        head = _LOCAL.pack(b"PK\x03\x04", *ints, len(self.name), len(self.extra))
        return head + self.name + self.extra

    @classmethod
    def read(cls, data: bytes, pos: int) -> tuple[Local, int]:
        """The header at ``pos`` and where its data starts."""
        f = _LOCAL.unpack_from(data, pos)
        at = pos + _LOCAL.size
        stop = at + f[9] + f[10]
        return cls(*[*f[1:9], data[at : at + f[9]], data[at + f[9] : stop]]), stop


@dataclass(frozen=True)
class Central:
    """A central directory record (APPNOTE 4.3.12), without its offset."""

    made_by: int
    needed: int
    flags: int
    method: int
    time: int
    date: int
    crc: int
    csize: int
    usize: int
    name: bytes
    extra: bytes = b""
    comment: bytes = b""
    disk: int = 0
    internal: int = 0
    external: int = 0

    def pack(self, offset: int) -> bytes:
        ints, tail = astuple(self)[:9], (self.disk, self.internal, self.external, offset)
        lengths = (len(self.name), len(self.extra), len(self.comment))
        head = _CENTRAL.pack(b"PK\x01\x02", *ints, *lengths, *tail)
        return head + self.name + self.extra + self.comment

    @classmethod
    def read(cls, data: bytes, pos: int) -> tuple[Central, int, int]:
        """The record at ``pos``, the offset it gives and where the next record starts."""
        f = _CENTRAL.unpack_from(data, pos)
        at = pos + _CENTRAL.size
        name, extra = data[at : at + f[10]], data[at + f[10] : at + f[10] + f[11]]
        stop = at + f[10] + f[11] + f[12]
        comment = data[at + f[10] + f[11] : stop]
        return cls(*[*f[1:10], name, extra, comment, *f[13:16]]), f[16], stop


@dataclass(frozen=True)
class Member:
    """One entry: its local header, its central record and its (compressed) data."""

    local: Local
    central: Central
    data: bytes


@dataclass(frozen=True)
class Archive:
    """A zip file as its parts: entries in file order, the central directory's order (indices
    into ``members``; an entry left out has no record, one listed twice has two), a comment."""

    members: tuple[Member, ...]
    central_order: tuple[int, ...]
    comment: bytes = b""

    def to_bytes(self) -> bytes:
        out = bytearray()
        offsets = []
        for m in self.members:
            offsets.append(len(out))
            out += m.local.pack() + m.data
        start = len(out)
        for i in self.central_order:
            out += self.members[i].central.pack(offsets[i])
        count = len(self.central_order)
        out += _END.pack(
            b"PK\x05\x06", 0, 0, count, count, len(out) - start, start, len(self.comment)
        )
        return bytes(out + self.comment)


def parse_archive(data: bytes) -> Archive:
    """The parts of a plain zip (no ZIP64, no gaps; the golden package), for editing."""
    end = data.rindex(b"PK\x05\x06")
    *_, count, _size, pos, comment_len = _END.unpack_from(data, end)
    members = []
    for _ in range(count):
        central, offset, pos = Central.read(data, pos)
        local, body = Local.read(data, offset)
        members.append(Member(local, central, data[body : body + local.csize]))
    comment = data[end + _END.size : end + _END.size + comment_len]
    return Archive(tuple(members), tuple(range(count)), comment)


def stored_member(name: str, data: bytes) -> Member:
    """An entry as eevidence writes one: stored, 1980-01-01, Unix ``rw-r--r--`` regular file."""
    raw = name.encode("utf-8")
    flags = 0 if raw.isascii() else 0x0800
    crc = zlib.crc32(data)
    local = Local(20, flags, 0, _ZIP_TIME, _ZIP_DATE, crc, len(data), len(data), raw)
    mode = (0o040755 if name.endswith("/") else 0o100644) << 16
    central = Central(
        3 << 8 | 20,
        20,
        flags,
        0,
        _ZIP_TIME,
        _ZIP_DATE,
        crc,
        len(data),
        len(data),
        raw,
        external=mode | (0x10 if name.endswith("/") else 0),
    )
    return Member(local, central, data)


def archive_from_files(
    files: Mapping[str, bytes],
    root: str,
    folders: Iterable[str] = (),
    links: Mapping[str, str] | None = None,
) -> Archive:
    """A zip of a bag as eevidence lays one out (entries sorted, all under ``root``); each
    of ``folders`` becomes a folder entry (``root/path/``), each link an entry with a Unix
    symbolic-link mode holding its target."""
    names = {root + rel: data for rel, data in files.items()}
    names.update({root + rel.rstrip("/") + "/": b"" for rel in folders})
    targets = {
        root + rel: to.encode("utf-8", "surrogateescape") for rel, to in (links or {}).items()
    }
    names.update(targets)
    members = []
    for name in sorted(names):
        member = stored_member(name, names[name])
        if name in targets:
            central = replace(member.central, external=0o120777 << 16)
            member = replace(member, central=central)
        members.append(member)
    return Archive(tuple(members), tuple(range(len(members))))


def layout(data: bytes) -> list[tuple[str, int, int]]:
    """The regions of a plain zip: ``[(label, start, end)]`` in file order, each local
    header, name and data, each central record and name, and the end record."""
    archive = parse_archive(data)
    regions: list[tuple[str, int, int]] = []
    pos = 0
    for m in archive.members:
        label = m.central.name.decode("utf-8", "replace").split("/", 1)[-1]
        for part, size in (
            ("local header", _LOCAL.size),
            ("local name", len(m.local.name) + len(m.local.extra)),
            ("data", len(m.data)),
        ):
            regions.append((f"{part} of {label}", pos, pos + size))
            pos += size
    for i in archive.central_order:
        m = archive.members[i]
        label = m.central.name.decode("utf-8", "replace").split("/", 1)[-1]
        size = len(m.central.name) + len(m.central.extra) + len(m.central.comment)
        regions.append((f"central record of {label}", pos, pos + _CENTRAL.size))
        regions.append(
            (f"central name of {label}", pos + _CENTRAL.size, pos + _CENTRAL.size + size)
        )
        pos += _CENTRAL.size + size
    regions.append(("end record", pos, len(data)))
    return [r for r in regions if r[2] > r[1]]


# --------------------------------------------------------------------------- byte mutations


@dataclass(frozen=True)
class Flip:
    """XOR the byte at ``at`` (modulo the length) with ``mask``."""

    at: int
    mask: int

    def apply(self, data: bytes) -> bytes:
        i = self.at % len(data)
        return data[:i] + bytes([data[i] ^ self.mask]) + data[i + 1 :]


@dataclass(frozen=True)
class Insert:
    """Insert ``junk`` before the byte at ``at`` (``at`` may be the length: at the end)."""

    at: int
    junk: bytes

    def apply(self, data: bytes) -> bytes:
        i = self.at % (len(data) + 1)
        return data[:i] + self.junk + data[i:]


@dataclass(frozen=True)
class Delete:
    """Delete ``count`` bytes from ``at``."""

    at: int
    count: int

    def apply(self, data: bytes) -> bytes:
        i = self.at % len(data)
        return data[:i] + data[i + self.count :]


@dataclass(frozen=True)
class Append:
    """Append ``junk`` after the end record."""

    junk: bytes

    def apply(self, data: bytes) -> bytes:
        return data + self.junk


ByteMutation = Flip | Insert | Delete | Append

# --------------------------------------------------------------------------- zip structure

ZipField = Literal[
    "made_by",
    "needed",
    "flags",
    "method",
    "time",
    "date",
    "crc",
    "csize",
    "usize",
    "name",
    "disk",
    "internal",
    "external",
]
LOCAL_FIELDS: Final = ("needed", "flags", "method", "time", "date", "crc", "csize", "usize", "name")
Where = Literal["local", "central", "both"]


def _pick(archive: Archive, member: int) -> int:
    return member % len(archive.members)


def _edit(archive: Archive, member: int, local: Local, central: Central) -> Archive:
    members = list(archive.members)
    members[member] = replace(members[member], local=local, central=central)
    return replace(archive, members=tuple(members))


@dataclass(frozen=True)
class SetField:
    """Set one header field of an entry, in its local header, its central record or both
    (lengths and offsets are recomputed; the local header has no ``made_by``, ``disk``,
    ``internal`` or ``external``)."""

    member: int
    where: Where
    name: ZipField
    value: int | bytes

    def apply(self, archive: Archive) -> Archive:
        i = _pick(archive, self.member)
        m = archive.members[i]
        local, central = m.local, m.central
        change: dict[str, Any] = {self.name: self.value}
        if self.where != "central" and self.name in LOCAL_FIELDS:
            local = replace(local, **change)
        if self.where != "local":
            central = replace(central, **change)
        return _edit(archive, i, local, central)


@dataclass(frozen=True)
class AddExtra:
    """Append an extra field (APPNOTE 4.5.1) ``tag`` holding ``payload`` to an entry."""

    member: int
    where: Where
    tag: int
    payload: bytes

    def apply(self, archive: Archive) -> Archive:
        i = _pick(archive, self.member)
        m = archive.members[i]
        field_bytes = struct.pack("<HH", self.tag, len(self.payload)) + self.payload
        local, central = m.local, m.central
        if self.where != "central":
            local = replace(local, extra=local.extra + field_bytes)
        if self.where != "local":
            central = replace(central, extra=central.extra + field_bytes)
        return _edit(archive, i, local, central)


@dataclass(frozen=True)
class SetEntryComment:
    """Give an entry a comment in its central record (APPNOTE 4.4.18)."""

    member: int
    comment: bytes

    def apply(self, archive: Archive) -> Archive:
        i = _pick(archive, self.member)
        m = archive.members[i]
        return _edit(archive, i, m.local, replace(m.central, comment=self.comment))


@dataclass(frozen=True)
class SetComment:
    """Give the archive a comment (after the end record, its length in the record)."""

    comment: bytes

    def apply(self, archive: Archive) -> Archive:
        return replace(archive, comment=self.comment)


@dataclass(frozen=True)
class Deflate:
    """Store an entry deflated (both headers updated: same bytes once inflated)."""

    member: int

    def apply(self, archive: Archive) -> Archive:
        i = _pick(archive, self.member)
        m = archive.members[i]
        if m.central.method != 0 or m.local.method != 0:
            return archive
        co = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = co.compress(m.data) + co.flush()
        local = replace(m.local, method=8, csize=len(packed))
        central = replace(m.central, method=8, csize=len(packed))
        members = list(archive.members)
        members[i] = Member(local, central, packed)
        return replace(archive, members=tuple(members))


@dataclass(frozen=True)
class AddFolderEntry:
    """Add a folder entry ``ROOT/path/`` (no data) at ``position`` in the file."""

    path: str
    position: int

    def apply(self, archive: Archive) -> Archive:
        root = archive.members[0].central.name.split(b"/", 1)[0].decode("utf-8") + "/"
        new = stored_member(root + self.path.strip("/") + "/", b"")
        at = self.position % (len(archive.members) + 1)
        members = (*archive.members[:at], new, *archive.members[at:])
        order = tuple(i + (i >= at) for i in archive.central_order)
        return Archive(members, (*order, at), archive.comment)


@dataclass(frozen=True)
class MoveEntry:
    """Move an entry within the file (``which`` ``local``) or the central directory."""

    which: Literal["local", "central"]
    src: int
    dst: int

    def apply(self, archive: Archive) -> Archive:
        if self.which == "central":
            order = list(archive.central_order)
            order.insert(self.dst % len(order), order.pop(self.src % len(order)))
            return replace(archive, central_order=tuple(order))
        members = list(archive.members)
        src = self.src % len(members)
        dst = self.dst % len(members)
        moved = list(range(len(members)))
        moved.insert(dst, moved.pop(src))
        new_index = {old: new for new, old in enumerate(moved)}
        return Archive(
            tuple(members[old] for old in moved),
            tuple(new_index[i] for i in archive.central_order),
            archive.comment,
        )


@dataclass(frozen=True)
class DuplicateEntry:
    """Copy an entry (local header, data and central record) right after itself."""

    member: int

    def apply(self, archive: Archive) -> Archive:
        at = _pick(archive, self.member)
        members = (*archive.members[: at + 1], archive.members[at], *archive.members[at + 1 :])
        order = tuple(i + (i > at) for i in archive.central_order)
        return Archive(members, (*order, at + 1), archive.comment)


@dataclass(frozen=True)
class DropRecord:
    """Remove an entry's central record; its local header and data stay in the file."""

    member: int

    def apply(self, archive: Archive) -> Archive:
        at = _pick(archive, self.member)
        return replace(archive, central_order=tuple(i for i in archive.central_order if i != at))


@dataclass(frozen=True)
class SetAttributes:
    """Set an entry's "version made by" (host system in the high byte) and its external
    attributes together (both only in the central record, APPNOTE 4.4.2 and 4.4.15)."""

    member: int
    made_by: int
    external: int

    def apply(self, archive: Archive) -> Archive:
        i = _pick(archive, self.member)
        m = archive.members[i]
        central = replace(m.central, made_by=self.made_by, external=self.external)
        return _edit(archive, i, m.local, central)


ZipMutation = (
    SetField
    | SetAttributes
    | AddExtra
    | SetEntryComment
    | SetComment
    | Deflate
    | AddFolderEntry
    | MoveEntry
    | DuplicateEntry
    | DropRecord
)

# --------------------------------------------------------------------------- bag mutations


@dataclass
class Bag:
    """A bag being mutated: its files and any extra (empty) folders, by relative path."""

    files: dict[str, bytes]
    folders: set[str] = field(default_factory=set)
    links: dict[str, str] = field(default_factory=dict)

    def tag_files(self) -> list[str]:
        return sorted(n for n in self.files if "/" not in n)


@dataclass(frozen=True)
class ChangeByte:
    """XOR one byte of a file (a no-op when the file is absent or empty)."""

    path: str
    at: int
    mask: int

    def apply(self, bag: Bag) -> None:
        data = bag.files.get(self.path)
        if data:
            bag.files[self.path] = Flip(self.at, self.mask).apply(data)


@dataclass(frozen=True)
class Forged:
    """A manifest made to look genuine: the right digests of the bag's current files, as
    ``kind`` (``tagmanifest``: the files at the root; ``manifest``: the files under
    ``data/``) with ``algorithm``, plus ``extra`` paths listed with the digest of nothing."""

    kind: Literal["tagmanifest", "manifest"]
    algorithm: Literal["sha256", "sha512", "md5"]
    extra: tuple[str, ...] = ()

    def render(self, bag: Bag) -> bytes:
        if self.kind == "manifest":
            listed = [n for n in sorted(bag.files) if n.startswith("data/")]
        else:
            listed = [
                n for n in bag.tag_files() if not n.startswith("tagmanifest-") and n != SIGNATURE
            ]
        lines = [f"{hashlib.new(self.algorithm, bag.files[n]).hexdigest()}  {n}" for n in listed]
        lines += [f"{hashlib.new(self.algorithm).hexdigest()}  {n}" for n in self.extra]
        return "".join(line + "\n" for line in lines).encode("utf-8")


@dataclass(frozen=True)
class AddFile:
    """Add (or overwrite) a file: ``content`` as given, or a :class:`Forged` manifest."""

    path: str
    content: bytes | Forged

    def apply(self, bag: Bag) -> None:
        data = self.content.render(bag) if isinstance(self.content, Forged) else self.content
        bag.files[self.path] = data


@dataclass(frozen=True)
class RemoveFile:
    """Remove a file (a no-op when it is absent)."""

    path: str

    def apply(self, bag: Bag) -> None:
        bag.files.pop(self.path, None)


RenameHow = Literal["upper", "lower", "swapcase", "trailing_space", "nfd", "nfc", "nfkc"]


def renamed(path: str, how: RenameHow) -> str:
    """``path`` with its last part changed as ``how`` says."""
    head, _, base = path.rpartition("/")
    if how == "trailing_space":
        base += " "
    elif how in ("nfd", "nfc", "nfkc"):
        base = unicodedata.normalize(how.upper(), base)  # type: ignore[arg-type]
    else:
        base = getattr(base, how)()
    return f"{head}/{base}" if head else base


@dataclass(frozen=True)
class Rename:
    """Rename a file's last part: case change, trailing space or another Unicode form."""

    path: str
    how: RenameHow

    def apply(self, bag: Bag) -> None:
        if self.path in bag.files:
            bag.files[renamed(self.path, self.how)] = bag.files.pop(self.path)


@dataclass(frozen=True)
class AddLink:
    """Add a symbolic link to ``target`` (in a zip: an entry with a link mode)."""

    path: str
    target: str

    def apply(self, bag: Bag) -> None:
        bag.files.pop(self.path, None)
        bag.links[self.path] = self.target


@dataclass(frozen=True)
class AddFolder:
    """Add an empty folder (a folder no file is in)."""

    path: str

    def apply(self, bag: Bag) -> None:
        bag.folders.add(self.path.strip("/"))


LineOp = Literal["delete", "duplicate", "move", "insert", "ending", "all_endings", "append"]
_SPLIT: Final = re.compile(r"(\r\n|\r|\n)")


def split_keeping_ends(text: str) -> list[list[str]]:
    """``[[line, terminator]]``; the last terminator may be ``""`` (RFC 8493 line ends)."""
    parts = _SPLIT.split(text)
    lines = [[parts[i], parts[i + 1]] for i in range(0, len(parts) - 1, 2)]
    if parts[-1]:
        lines.append([parts[-1], ""])
    return lines


@dataclass(frozen=True)
class EditLines:
    """Edit a text file line by line (lines end at CR, LF or CRLF, as RFC 8493 says).

    ``delete``, ``duplicate`` line ``i``; ``move`` line ``i`` before line ``j``; ``insert``
    ``text`` (ended by LF) before line ``i``; give line ``i`` (``ending``) or every line
    (``all_endings``) the terminator ``text``; ``append`` ``text`` to line ``i``.
    """

    path: str
    op: LineOp
    i: int = 0
    j: int = 0
    text: str = ""

    def apply(self, bag: Bag) -> None:
        data = bag.files.get(self.path)
        if data is None:
            return
        lines = split_keeping_ends(data.decode("utf-8", "surrogateescape"))
        n = len(lines)
        i = self.i % max(n, 1)
        if self.op == "insert":
            lines.insert(self.i % (n + 1), [self.text, "\n"])
        elif n == 0:
            return
        elif self.op == "delete":
            del lines[i]
        elif self.op == "duplicate":
            lines.insert(i, list(lines[i]))
        elif self.op == "move":
            lines.insert(self.j % n, lines.pop(i))
        elif self.op == "ending":
            lines[i][1] = self.text
        elif self.op == "all_endings":
            for line in lines:
                line[1] = self.text
        else:  # append
            lines[i][0] += self.text
        text = "".join(a + b for a, b in lines)
        bag.files[self.path] = text.encode("utf-8", "surrogateescape")


EnvelopeOp = Literal[
    "add_signature",
    "copy_signature",
    "drop_signature",
    "reverse",
    "keyid",
    "drop_keyid",
    "null_keyid",
    "recode",
    "unknown_field",
    "payload_type",
    "duplicate_key",
    "pad_bits",
]


def _recode(value: str, how: str) -> str:
    if "url" in how:
        value = value.replace("+", "-").replace("/", "_")
    return value.rstrip("=") if "unpadded" in how else value


@dataclass(frozen=True)
class EditEnvelope:
    """Edit the DSSE envelope as JSON (written back with two-space indentation).

    ``add_signature``: a signature of 64 bytes derived from ``text`` with the key id of
    signature ``i``; ``copy_signature``: signature ``i`` again; ``drop_signature`` and
    ``reverse``; ``keyid`` set to ``text``, dropped or ``null``; ``recode`` ``payload``
    and every ``sig`` in the base64 ``text`` names (``url``, ``unpadded``, both);
    ``unknown_field`` at the top level and in signature ``i``; ``payload_type`` set to
    ``text``; ``duplicate_key`` puts a second ``payload`` before the first; ``pad_bits``
    sets the unused bits of the last base64 character of ``sig`` ``i``.
    """

    op: EnvelopeOp
    i: int = 0
    text: str = ""

    def apply(self, bag: Bag) -> None:
        try:
            doc = json.loads(bag.files.get(SIGNATURE, b""))
        except ValueError:
            return
        sigs = doc.get("signatures") if isinstance(doc, dict) else None
        if not isinstance(sigs, list) or not sigs or not all(isinstance(x, dict) for x in sigs):
            return
        i = self.i % len(sigs)
        if self.op == "add_signature":
            sig = base64.b64encode(hashlib.sha512(self.text.encode()).digest()).decode()
            sigs.append({"keyid": sigs[i].get("keyid"), "sig": sig})
        elif self.op == "copy_signature":
            sigs.append(dict(sigs[i]))
        elif self.op == "drop_signature":
            del sigs[i]
        elif self.op == "reverse":
            sigs.reverse()
        elif self.op in ("keyid", "drop_keyid", "null_keyid"):
            sigs[i].pop("keyid", None)
            if self.op != "drop_keyid":
                sigs[i]["keyid"] = self.text if self.op == "keyid" else None
        elif self.op == "recode" and isinstance(doc.get("payload"), str):
            doc["payload"] = _recode(doc["payload"], self.text)
            for x in sigs:
                x["sig"] = _recode(str(x.get("sig")), self.text)
        elif self.op == "unknown_field":
            doc[self.text or "note"] = sigs[i][self.text or "note"] = "x"
        elif self.op == "payload_type":
            doc["payloadType"] = self.text
        elif self.op == "pad_bits":
            sig = str(sigs[i].get("sig"))
            body = sig.rstrip("=")
            if body and len(sig) != len(body):
                last = _B64.index(body[-1]) if body[-1] in _B64 else 0
                sigs[i]["sig"] = body[:-1] + _B64[last ^ 1] + sig[len(body) :]
        out = json.dumps(doc, indent=2)
        if self.op == "duplicate_key":
            out = out.replace('"payload"', f'"payload": {json.dumps(self.text)},\n  "payload"', 1)
        bag.files[SIGNATURE] = out.encode("utf-8", "surrogatepass")


_B64: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

BagMutation = (
    ChangeByte | AddFile | RemoveFile | Rename | AddLink | AddFolder | EditLines | EditEnvelope
)

# --------------------------------------------------------------------------- the oracle

Envelope = tuple[str, bytes, frozenset[int]]
_STD: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_URL: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class _Duplicate(ValueError):
    pass


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _base64(text: object) -> bytes | None:
    """The bytes of canonical base64 in one alphabet, padded or not (RFC 4648 4-5), else
    ``None``."""
    if not isinstance(text, str):
        return None
    body = text.rstrip("=")
    alphabet = _STD if set(body) <= _STD else _URL if set(body) <= _URL else None
    if alphabet is None:
        return None
    standard = body.replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    again = base64.b64encode(raw).decode("ascii")
    if alphabet is _URL:
        again = again.replace("+", "-").replace("/", "_")
    return raw if text in (again, again.rstrip("=")) else None


def envelope_meaning(data: bytes, keys: tuple[Ed25519PublicKey, ...]) -> Envelope | None:
    """What a DSSE envelope says, read strictly: ``(payloadType, payload, the indices in
    ``keys`` of the trusted keys whose signature over its PAE holds)``, or ``None`` when it
    is not one unambiguous envelope. Key ids, unknown fields, whitespace, base64 spelling,
    the order of signatures and signatures no trusted key made do not count (DSSE v1.0.2:
    ``envelope.md`` "Parsing rules", ``protocol.md`` "Protocol")."""
    try:
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            return None
        doc = json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("payloadType"), str):
        return None
    payload = _base64(doc.get("payload"))
    sigs = doc.get("signatures")
    if payload is None or not isinstance(sigs, list):
        return None
    found = []
    for item in sigs:
        if not isinstance(item, dict) or not isinstance(item.get("keyid", ""), str | None):
            return None
        sig = _base64(item.get("sig"))
        if sig is None:
            return None
        found.append(sig)
    try:
        payload_type = doc["payloadType"].encode("utf-8")
        for item in sigs:
            (item.get("keyid") or "").encode("utf-8")
    except UnicodeEncodeError:
        return None
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)
    signers = frozenset(i for i, key in enumerate(keys) for sig in found if _holds(key, sig, pae))
    return doc["payloadType"], payload, signers


def _holds(key: Ed25519PublicKey, sig: bytes, message: bytes) -> bool:
    try:
        key.verify(sig, message)
    except InvalidSignature:
        return False
    return True


def files_difference(found: Mapping[str, bytes], genuine: Genuine) -> str | None:
    """Why the files ``found`` do not mean the ``genuine`` ones, or ``None`` when they do
    (paths relative to the bag root; the envelope compared by :func:`envelope_meaning`)."""
    added = sorted(set(found) - set(genuine.files))
    removed = sorted(set(genuine.files) - set(found))
    if added or removed:
        return f"files added {added!r}, removed {removed!r}"
    for name in sorted(genuine.files):
        if found[name] == genuine.files[name]:
            continue
        if name == SIGNATURE:
            meaning = envelope_meaning(found[name], genuine.keys)
            if meaning is not None and meaning == envelope_meaning(
                genuine.files[name], genuine.keys
            ):
                continue
            return "the envelope says something else, or is not one unambiguous envelope"
        return f"the bytes of {name!r} changed"
    return None


def tree_difference(root: Path, genuine: Genuine) -> str | None:
    """Why the bag directory at ``root`` is not neutral to ``genuine``, or ``None``."""
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        if not filenames and not dirnames:
            return f"an empty folder {prefix!r}"
        for name in dirnames:
            if os.path.islink(os.path.join(dirpath, name)):
                return f"a symbolic link {prefix + name!r}"
        for name in filenames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                return f"a symbolic link {prefix + name!r}"
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode):
                return f"not a regular file: {prefix + name!r}"
            files[prefix + name] = Path(full).read_bytes()
    return files_difference(files, genuine)


_NEUTRAL_EXTRAS: Final = frozenset({0x5455, 0x7875, 0x000A})
_NEUTRAL_FLAGS: Final = 0x0002 | 0x0004 | 0x0800
# Hosts whose attributes Info-ZIP UnZip reads as Unix modes (VMS, Unix, Atari, QDOS, Acorn,
# BeOS, Tandem, OS X, AtheOS); for the others it, 7-Zip and Go read MS-DOS attributes.
_UNIX_MODE_HOSTS: Final = frozenset({2, 3, 5, 12, 13, 16, 17, 19, 30})


def _extras_difference(extra: bytes, what: str) -> str | None:
    pos = 0
    seen: set[int] = set()
    while pos < len(extra):
        if pos + 4 > len(extra):
            return f"{what}: a truncated extra field"
        tag, size = struct.unpack_from("<HH", extra, pos)
        if pos + 4 + size > len(extra) or tag in seen:
            return f"{what}: a malformed or repeated extra field"
        if tag not in _NEUTRAL_EXTRAS:
            return f"{what}: an extra field 0x{tag:04x} (not only times or owner)"
        seen.add(tag)
        pos += 4 + size
    return None


def _kind(central: Central) -> str:
    """``file`` or ``folder`` when every reader agrees on what the entry is, else what some
    reader would take it for.

    The name says ``folder`` when it ends with ``/``; the attributes say it too. Unix mode
    bits (the high 16 bits of the external attributes) are read by eevidence whatever the
    host; readers read MS-DOS attributes (the low byte: 0x10 folder, 0x08 volume label)
    instead for hosts that do not write Unix modes (Info-ZIP UnZip ``mapattr()``, 7-Zip,
    Go's ``archive/zip``), so those must agree as well.
    """
    by_name = central.name.endswith(b"/")
    unix = stat.S_IFMT(central.external >> 16)
    if unix not in (0, stat.S_IFREG, stat.S_IFDIR):
        return f"Unix file type 0o{unix:o}"
    if central.made_by >> 8 not in _UNIX_MODE_HOSTS:
        if central.external & 0x08:
            return "volume label (MS-DOS attribute 0x08)"
        if central.external & 0x10 and not by_name:
            return "folder with data (MS-DOS attribute 0x10)"
    if unix == stat.S_IFDIR and not by_name:
        return "folder with data (Unix mode)"
    return "folder" if by_name else "file"


def _entries(data: bytes) -> Iterator[tuple[int, Local, int]]:
    """The local headers a streaming reader walks from offset 0: ``(offset, header, end of
    data)``; stops at the first position that does not hold a local header, or after a
    header whose sizes follow its data (a data descriptor)."""
    pos = 0
    while data[pos : pos + 4] == b"PK\x03\x04" and pos + _LOCAL.size <= len(data):
        local, body = Local.read(data, pos)
        if local.flags & 0x0008:
            yield pos, local, body
            return
        yield pos, local, body + local.csize
        pos = body + local.csize


def _central(data: bytes, start: int, size: int, count: int) -> list[tuple[Central, int]] | str:
    """The central directory's records with the offsets they give, or why it is broken."""
    records: list[tuple[Central, int]] = []
    pos = start
    for _ in range(count):
        if pos + _CENTRAL.size > start + size or data[pos : pos + 4] != b"PK\x01\x02":
            return "the central directory is short"
        central, offset, pos = Central.read(data, pos)
        records.append((central, offset))
    return records if pos == start + size else "the central directory's size is wrong"


def _read_member(data: bytes, local: Local, central: Central, end: int) -> bytes | str:
    """The bytes of an entry, or why readers could disagree on them."""
    label = central.name.decode("utf-8", "replace")
    for f in ("flags", "method", "crc", "csize", "usize", "name"):
        if getattr(local, f) != getattr(central, f):
            return f"{label}: the local header and the central record differ in {f}"
    if central.flags & ~_NEUTRAL_FLAGS:
        return f"{label}: general purpose flags 0x{central.flags:04x}"
    if not central.flags & 0x0800 and not central.name.isascii():
        return f"{label}: a non-ASCII name without the UTF-8 flag"
    for header, needed in (("local", local.needed), ("central", central.needed)):
        if needed & 0xFF > 45:
            return f"{label}: the {header} header needs version {needed & 0xFF} to extract"
    if central.disk:
        return f"{label}: on disk {central.disk}"
    if central.comment:
        return f"{label}: an entry comment {central.comment!r}"
    for what, extra in (("local", local.extra), ("central", central.extra)):
        problem = _extras_difference(extra, f"{label} ({what})")
        if problem:
            return problem
    raw = data[end - local.csize : end]
    if len(raw) != local.csize:
        return f"{label}: truncated data"
    if central.method == 0:
        content = raw
    elif central.method == 8:
        try:
            inflater = zlib.decompressobj(-15)
            content = inflater.decompress(raw) + inflater.flush()
        except zlib.error:
            return f"{label}: does not inflate"
        if not inflater.eof or inflater.unused_data:
            return f"{label}: deflate stream not exactly its data"
    else:
        return f"{label}: compression method {central.method}"
    if len(content) != central.usize or zlib.crc32(content) != central.crc:
        return f"{label}: size or CRC-32 does not match the data"
    return content


def zip_difference(data: bytes, genuine: Genuine) -> str | None:
    """Why the zip ``data`` is not neutral to ``genuine``, or ``None`` when it is.

    Reads it twice, as a central-directory reader and as a streaming reader does, and
    requires both to see the genuine files with nothing else in the file (see the module
    description for the metadata that may change).
    """
    end = len(data) - _END.size
    if end < 0 or data[end : end + 4] != b"PK\x05\x06":
        at = data.rfind(b"PK\x05\x06")
        if at >= 0 and at + _END.size <= len(data):
            length = _END.unpack_from(data, at)[7]
            if at + _END.size + length == len(data):
                return f"an archive comment {data[at + _END.size :]!r}"
        return "no end record at the end of the file"
    _sig, disk, cd_disk, n_disk, count, cd_size, cd_offset, comment = _END.unpack_from(data, end)
    if comment:
        return "the end record's comment length is not zero"
    if disk or cd_disk or n_disk != count:
        return "a multi-disk end record"
    if cd_offset + cd_size != end:
        return "the central directory does not end at the end record"
    records = _central(data, cd_offset, cd_size, count)
    if isinstance(records, str):
        return records
    walked = {pos: (local, stop) for pos, local, stop in _entries(data)}
    last = max((stop for _, stop in walked.values()), default=0)
    if last != cd_offset:
        return "bytes a streaming reader reads as data or skips before the central directory"
    offsets = [offset for _, offset in records]
    if sorted(offsets) != sorted(walked) or len(set(offsets)) != len(offsets):
        return "a streaming reader and a central-directory reader see different entries"
    files: dict[str, bytes] = {}
    folders: list[str] = []
    for central, offset in records:
        local, stop = walked[offset]
        content = _read_member(data, local, central, stop)
        if isinstance(content, str):
            return content
        try:
            name = central.name.decode("utf-8")
        except UnicodeDecodeError:
            return f"a name that is not UTF-8: {central.name!r}"
        kind = _kind(central)
        if kind == "folder" and not content:
            folders.append(name.rstrip("/") + "/")
        elif kind != "file":
            return f"{name!r} is a {kind}"
        elif name in files:
            return f"{name!r} twice"
        else:
            files[name] = content
    for folder in folders:
        if not any(n.startswith(folder) for n in files):
            return f"a folder entry no file is in: {folder!r}"
    if any(not n.startswith(genuine.root) for n in files):
        return "a file outside the package's top-level folder"
    return files_difference({n[len(genuine.root) :]: d for n, d in files.items()}, genuine)
