"""Write the table of provider profiles and their unknowns into ``docs/providers.md``.

Run after changing or adding a profile: ``python scripts/gen_providers_doc.py [DOC_FILE]``;
``tests/test_profile_lint.py`` fails when the committed file differs. Only the part between
the two markers below is replaced; the rest of the document is written by hand.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from eevidence.provider import ProviderProfile, load_profile_file

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- begin generated: scripts/gen_providers_doc.py -->"
END = "<!-- end generated -->"


def _grouped(paths: Iterable[str]) -> str:
    """``$.identifiers.imei`` and ``$.identifiers.domain`` as ``identifiers: imei, domain``."""
    groups: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        parts = path.removeprefix("$.").split(".", 1)
        groups[parts[0]].append(parts[1] if len(parts) > 1 else "")
    out = []
    for head, tails in groups.items():
        named = [t for t in tails if t]
        out.append(f"{head}: {', '.join(named)}" if named else head)
    return "; ".join(out)


def section(profiles: Iterable[ProviderProfile]) -> str:
    """The generated part: one row per profile (known facts, unknowns, sources' dates)."""
    rows = [
        "| id | name | last reviewed | known | unknown facts | provider sources |",
        "|---|---|---|---|---|---|",
    ]
    total_unknown = 0
    listed = sorted(profiles, key=lambda p: p.id)
    for p in listed:
        facts = list(p.iter_facts())
        unknown = p.unknowns()
        total_unknown += len(unknown)
        dates = sorted(
            {
                "undated" if s.published == "undated" else s.published.isoformat()
                for s in p.sources.values()
                if s.kind == "provider"
            },
            key=lambda d: (d == "undated", d),
        )
        rows.append(
            f"| `{p.id}` | {p.name} | {p.last_reviewed.isoformat()} | "
            f"{len(facts) - len(unknown)}/{len(facts)} | {_grouped(unknown) or 'none'} | "
            f"{', '.join(dates)} |"
        )
    head = (
        f'{len(listed)} profiles, {total_unknown} unknown facts in all. "Known" counts facts '
        'with a value; "unknown facts" lists by section the facts no provider text read '
        'states; "provider sources" gives the dates the pages show.'
    )
    return "\n".join([BEGIN, "", head, "", *rows, "", END])


def render(text: str, profiles: Iterable[ProviderProfile]) -> str:
    """``text`` (the document) with its generated part replaced (appended if missing)."""
    new = section(profiles)
    if BEGIN in text and END in text:
        before, rest = text.split(BEGIN, 1)
        after = rest.split(END, 1)[1]
        return before + new + after
    return text.rstrip("\n") + "\n\n" + new + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "providers.md"
    profiles = [load_profile_file(p) for p in sorted((ROOT / "providers").glob("*.json"))]
    text = out.read_text(encoding="utf-8") if out.exists() else "# Provider profiles\n"
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(render(text, profiles), encoding="utf-8")
    tmp.replace(out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
