"""Write ``docs/findings.md`` from the findings catalogue in the code.

Run after changing a rule: ``python scripts/gen_findings_doc.py [OUT_FILE]``; a test fails
when the committed file differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from eevidence.provider import findings_markdown

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "findings.md"
    out.write_text(findings_markdown(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
