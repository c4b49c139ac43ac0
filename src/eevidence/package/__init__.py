"""Signed packages: BagIt 1.0 bags (directory or zip) with DSSE signatures.

Reading (zip and directory, with limits), hashing, building, verifying, co-signing and
reports. Verification trusts only the keys given to it and never loads the request
models. Sources: RFC 8493 (BagIt), the DSSE envelope specification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eevidence._internal.lazy import attach as _attach

if TYPE_CHECKING:
    from eevidence.package._bag import (
        DirReader,
        PackageLimits,
        Reader,
        ZipReader,
        open_reader,
        reading,
    )
    from eevidence.package._build import build_package
    from eevidence.package._layout import PAYLOAD_TYPE, SIGNATURE_FILE
    from eevidence.package._report import (
        FileResult,
        PackageInfo,
        SignatureResult,
        StructuralProblem,
        VerificationReport,
    )
    from eevidence.package._sign import sign_package
    from eevidence.package._tagfiles import HASH_ALGORITHMS, parse_bag_info, parse_manifest
    from eevidence.package._verify import inspect_package, package_report, verify_package

__all__ = [
    "HASH_ALGORITHMS",
    "PAYLOAD_TYPE",
    "SIGNATURE_FILE",
    "DirReader",
    "FileResult",
    "PackageInfo",
    "PackageLimits",
    "Reader",
    "SignatureResult",
    "StructuralProblem",
    "VerificationReport",
    "ZipReader",
    "build_package",
    "inspect_package",
    "open_reader",
    "package_report",
    "parse_bag_info",
    "parse_manifest",
    "reading",
    "sign_package",
    "verify_package",
]

__getattr__, __dir__ = _attach(__name__, __file__)
