"""Write the JSON Schemas generated from the models into ``schemas/``.

Run after changing a model: ``python scripts/gen_schemas.py [OUT_DIR]``; a test fails when the
committed files differ from what this script would write. It writes every published schema:
requests and authority profiles, provider profiles, the signed directory's payload, and the
entries of the directory of authorities (``authorities/``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from eevidence import authorities, directory, provider, request

ROOT = Path(__file__).resolve().parents[1]


def render(schema: object) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "schemas"
    out.mkdir(exist_ok=True)
    schemas = {
        **request.generated_schemas(),
        **provider.generated_schemas(),
        **directory.generated_schemas(),
        **authorities.generated_schemas(),
    }
    for name, schema in schemas.items():
        (out / name).write_text(render(schema), encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
