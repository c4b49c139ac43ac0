"""Make the fonts shipped in ``fonts/`` from the full Noto fonts (SIL Open Font License 1.1).

Source: Debian's ``fonts-noto-core`` package (``/usr/share/fonts/truetype/noto``). The
subsets keep the code points the letters need (Latin with its extensions, IPA, Greek,
Cyrillic, punctuation; Arabic with its presentation forms) and every OpenType layout
feature, so Arabic shaping (init/medi/fina/rlig) and kerning still work. Smaller fonts
make each PDF faster to build.

    python scripts/subset_fonts.py [SOURCE_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parents[1]
LATIN = (
    "U+0020-007E,U+00A0-024F,U+0250-02FF,U+0300-036F,U+0370-03FF,U+0400-052F,U+1E00-1EFF,"
    "U+2000-206F,U+20AC,U+2116,U+2122,U+FFFD"
)
ARABIC = (
    "U+0020-0040,U+005B-0060,U+007B-007E,U+00A0,U+00AB,U+00BB,U+0600-06FF,U+0750-077F,"
    "U+08A0-08FF,U+200C-200F,U+2010-2027,U+2066-2069,U+FB50-FDFF,U+FE70-FEFF"
)
FONTS = {
    "NotoSans-Regular.ttf": LATIN,
    "NotoSans-Bold.ttf": LATIN,
    "NotoNaskhArabic-Regular.ttf": ARABIC,
    "NotoNaskhArabic-Bold.ttf": ARABIC,
}


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else Path("/usr/share/fonts/truetype/noto")
    out = ROOT / "fonts"
    for name, unicodes in FONTS.items():
        target = out / name
        subset.main(
            [
                str(source / name),
                f"--unicodes={unicodes}",
                "--layout-features=*",
                "--name-IDs=*",
                "--name-languages=*",
                "--notdef-outline",
                "--no-hinting",
                "--desubroutinize",
                f"--output-file={target}",
            ]
        )
        print(f"{target.relative_to(ROOT)}: {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
