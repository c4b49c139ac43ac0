"""Write the golden TS 103 120 messages of the example requests into ``tests/vectors/hi1/``.

Run after a deliberate change to the HI-1 export: ``python scripts/gen_hi1_vectors.py``; a
test fails when the committed files differ from what this script would write, so no change
to the messages goes unnoticed. Fixed header values; the letter is a small stand-in PDF.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import eevidence as ee
from eevidence.hi1 import Hi1Endpoint, to_hi1_xml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "vectors" / "hi1"
SENDER = Hi1Endpoint("FR", "PJ-CYBER")
RECEIVER = Hi1Endpoint("IE", "provider")
NOW = datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)
TX = "c02358b2-76cf-4ba4-a8eb-f6436ccaea2e"
LETTER = b"%PDF-1.7\n% stand-in for the signed request letter\n%%EOF\n"


def messages() -> dict[str, bytes]:
    """File name -> golden message bytes, one per example request."""
    out: dict[str, bytes] = {}
    for path in sorted((ROOT / "examples" / "requests").glob("*.json")):
        request = ee.read_request(path)
        out[f"{path.stem}.xml"] = to_hi1_xml(
            request,
            sender=SENDER,
            receiver=RECEIVER,
            now=NOW,
            transaction_id=TX,
            document=LETTER,
            document_name=f"{path.stem}.pdf",
        )
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    for name, data in messages().items():
        (out / name).write_bytes(data)
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
