"""The layout of a signed request package: BagIt 1.0 (RFC 8493) plus a DSSE envelope.

Layout (directory form; the zip form holds the same files under one ``<request id>/`` folder,
as RFC 8493 section 4 allows for serialised bags)::

    bagit.txt                  BagIt-Version 1.0, UTF-8 (RFC 8493 section 2.1.1)
    bag-info.txt               request id, kind, provider, creation time, Payload-Oxum, software
                               (RFC 8493 section 2.2.2)
    data/request.json          the canonical bytes of the request
    data/attachments/NAME      files the request lists in ``attachments``
    data/documents/NAME        rendered documents (letters) generated from the request
    manifest-sha256.txt        SHA-256 of every payload file (RFC 8493 section 2.1.3)
    payload-sizes.txt          size of every payload file (so a size change is named as such)
    tagmanifest-sha256.txt     SHA-256 of every tag file above: pins the whole package
                               (RFC 8493 section 2.2.1)
    signature.dsse.json        DSSE envelope whose payload is the tag manifest's exact bytes,
                               one signature per signer

Nothing else may sit in a signed package: every file is pinned by the signed tag manifest,
directly or through ``manifest-sha256.txt``; there is no other tag manifest and no
``fetch.txt`` (see :mod:`eevidence.package._verify`).

The constants here are shared by building, verifying and co-signing; changing any of them
changes the bytes of every package.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "BAGIT_TXT",
    "FETCH_FILE",
    "PAYLOAD_TYPE",
    "SIGNATURE_FILE",
    "SIZES_FILE",
    "TAGMANIFEST",
    "ZIP_FILE_MODE",
    "ZIP_TIME",
]

PAYLOAD_TYPE: Final = "application/vnd.eevidence.package.v1+bagit-tagmanifest"
"""The DSSE ``payloadType`` of a package envelope (its payload is the sha256 tag manifest)."""
SIGNATURE_FILE: Final = "signature.dsse.json"
"""Name of the DSSE envelope file at the bag root (not listed in any manifest)."""
TAGMANIFEST: Final = "tagmanifest-sha256.txt"
SIZES_FILE: Final = "payload-sizes.txt"
FETCH_FILE: Final = "fetch.txt"
"""RFC 8493 section 2.2.3: files to fetch; never written, and refused when read."""
BAGIT_TXT: Final = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)  # every zip entry's date: the earliest zip allows
ZIP_FILE_MODE: Final = 0o100644 << 16  # regular file, rw-r--r--, in external_attr
