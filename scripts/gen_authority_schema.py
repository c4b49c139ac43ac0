"""Write the JSON Schema of authority entries into ``schemas/authority-directory.schema.json``.

Run after changing the model in ``src/eevidence/authorities/_model.py``:
``python scripts/gen_authority_schema.py [OUT_DIR]``; ``tests/test_authorities.py`` fails when
the committed file differs from what this script writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eevidence import authorities

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "schemas"
    out.mkdir(exist_ok=True)
    for name, schema in authorities.generated_schemas().items():
        text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
