"""Write ``law/iso3166-1.json``: the closed list of ISO 3166-1 alpha-2 country codes.

Run once per update of the standard: ``python scripts/gen_iso3166.py [OUT_FILE]``. The codes
and English short names come from ``pycountry`` (a test-time dependency, never imported at
run time), which bundles the Debian ``iso-codes`` data of ISO 3166-1; the file records the
pycountry version and the SHA-256 of the data file it read. ``tests/test_codes.py``
regenerates the list and fails when the shipped file has drifted from the installed
pycountry.

User-assigned code elements (ISO 3166-1 reserves AA, QM to QZ, XA to XZ and ZZ for users)
are accepted only where an official text documents their use; each carries its sources.
Decision record: ``docs/decisions/0009-codes.md``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Final

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "law" / "iso3166-1.json"

USER_ASSIGNED: Final[dict[str, dict[str, Any]]] = {
    "XK": {
        "name": "Kosovo",
        "note": (
            "A user-assigned code element (ISO 3166-1 leaves XA to XZ to users), not a code "
            "of the standard. The European Commission (Eurostat) lists Kosovo as "
            "'Kosovo* (XK)' with the footnote: "
            "'This designation is without prejudice to positions on status, and is in line "
            "with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of "
            "independence.' Unicode CLDR lists XK as a regular region code. Accepted so that "
            "Kosovo's authorities can be named; it is no statement on status."
        ),
        "sources": [
            {
                "title": "European Commission, Eurostat, Statistics Explained, "
                "Glossary:Country codes (potential candidates: Kosovo* (XK))",
                "url": "https://ec.europa.eu/eurostat/statistics-explained/index.php"
                "?title=Glossary%3AProtocol_order",
                "published": "undated",
                "read": "2026-12-01",
            },
            {
                "title": "Unicode CLDR, common/validity/region.xml (XK among the regular "
                "region codes)",
                "url": "https://github.com/unicode-org/cldr/blob/"
                "065b47f6954e00b549a4ce274c4f3edf0ca531dd/common/validity/region.xml",
                "published": "undated",
                "read": "2026-12-01",
            },
        ],
    }
}
"""User-assigned codes accepted, each with the official texts that document its use."""


def build() -> dict[str, Any]:
    """The document written to ``law/iso3166-1.json``, read from the installed pycountry.

    Raises:
        ImportError: pycountry is not installed (``pip install -e .[test]``).
    """
    import pycountry  # noqa: PLC0415 - a test-time dependency only

    data_file = Path(pycountry.__file__).parent / "databases" / "iso3166-1.json"
    codes = {c.alpha_2: c.name for c in pycountry.countries}
    clash = sorted(set(codes) & set(USER_ASSIGNED))
    if clash:
        raise SystemExit(f"user-assigned codes now assigned by ISO 3166-1: {clash}")
    return {
        "title": "ISO 3166-1 alpha-2 country codes accepted as country codes",
        "generated_by": "scripts/gen_iso3166.py",
        "source": {
            "standard": "ISO 3166-1, Codes for the representation of names of countries and "
            "their subdivisions, Part 1: Country code (alpha-2 code elements, English short "
            "names)",
            "data": "Debian iso-codes, data/iso_3166-1.json, as bundled in pycountry",
            "url": "https://salsa.debian.org/iso-codes-team/iso-codes",
            "pycountry": metadata.version("pycountry"),
            "data_sha256": hashlib.sha256(data_file.read_bytes()).hexdigest(),
        },
        "codes": dict(sorted(codes.items())),
        "user_assigned": USER_ASSIGNED,
    }


def render(doc: dict[str, Any]) -> str:
    """``doc`` as the file's text: JSON, two-space indent, UTF-8 names kept, final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    doc = build()
    out.write_text(render(doc), encoding="utf-8")
    print(f"wrote {out}: {len(doc['codes'])} codes, pycountry {doc['source']['pycountry']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
