# Public names of eevidence.package, imported on first use (lazy_loader.attach_stub).

from ._bag import (
    DirReader as DirReader,
    PackageLimits as PackageLimits,
    Reader as Reader,
    ZipReader as ZipReader,
    open_reader as open_reader,
    reading as reading,
)
from ._build import build_package as build_package
from ._encrypt import (
    ENCRYPTED_SUFFIX as ENCRYPTED_SUFFIX,
    Identity as Identity,
    Recipient as Recipient,
    decrypt_package as decrypt_package,
    decrypt_stream as decrypt_stream,
    encrypt_package as encrypt_package,
    encrypt_stream as encrypt_stream,
    generate_identity as generate_identity,
    read_identities as read_identities,
    read_recipients as read_recipients,
    write_identity as write_identity,
)
from ._layout import (
    PAYLOAD_TYPE as PAYLOAD_TYPE,
    SIGNATURE_FILE as SIGNATURE_FILE,
)
from ._pdfsig import check_pdf_signature as check_pdf_signature
from ._report import (
    FileResult as FileResult,
    LetterSignature as LetterSignature,
    PackageInfo as PackageInfo,
    SignatureResult as SignatureResult,
    StructuralProblem as StructuralProblem,
    VerificationReport as VerificationReport,
)
from ._sign import sign_package as sign_package
from ._tagfiles import (
    HASH_ALGORITHMS as HASH_ALGORITHMS,
    parse_bag_info as parse_bag_info,
    parse_manifest as parse_manifest,
)
from ._verify import (
    inspect_package as inspect_package,
    package_report as package_report,
    verify_package as verify_package,
)

__all__ = [
    "ENCRYPTED_SUFFIX",
    "HASH_ALGORITHMS",
    "PAYLOAD_TYPE",
    "SIGNATURE_FILE",
    "DirReader",
    "FileResult",
    "Identity",
    "LetterSignature",
    "PackageInfo",
    "PackageLimits",
    "Reader",
    "Recipient",
    "SignatureResult",
    "StructuralProblem",
    "VerificationReport",
    "ZipReader",
    "build_package",
    "check_pdf_signature",
    "decrypt_package",
    "decrypt_stream",
    "encrypt_package",
    "encrypt_stream",
    "generate_identity",
    "inspect_package",
    "open_reader",
    "package_report",
    "parse_bag_info",
    "parse_manifest",
    "read_identities",
    "read_recipients",
    "reading",
    "sign_package",
    "verify_package",
]
