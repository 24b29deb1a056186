#!/usr/bin/env python3
"""Makes cellgraph's second bundled character-model text from the Unicode Character Database.

Source: Debian package unicode-data 15.0.0-1, /usr/share/unicode/UnicodeData.txt (upstream
https://www.unicode.org/Public/15.0.0/ucd/UnicodeData.txt), under the Unicode License
Agreement for Data Files (data/unicode-license.txt, next to the excerpt).

Kept: the lines of the code points U+0000 to U+1FFF (7,355 lines: Latin, Greek, Cyrillic,
Armenian, Hebrew, Arabic, the Indic scripts, Thai, Tibetan, Georgian, Hangul Jamo, Ethiopic,
Cherokee, ..., Latin Extended Additional and Greek Extended), unchanged. A record is 15 fields
separated by ';'; a field's meaning depends on how many ';' precede it on the line, and a code
point is usually the previous line's plus one, both further back than the few characters an
n-gram model conditions on. The licence asks for a notice of modification in the file: the
excerpt starts with '#' lines saying so, which CharLmTask drops when it reads the text.

    apt-get download unicode-data && dpkg-deb -x unicode-data_*.deb u
    python3 tools/data/make_unicode_excerpt.py u/usr/share/unicode/UnicodeData.txt OUT
"""
import sys

HEADER = ("# An excerpt of UnicodeData.txt of the Unicode Character Database 15.0.0: the lines of the\n"
          "# code points U+0000 to U+1FFF, unchanged; the other lines were removed (a modification).\n"
          "# Copyright (c) 1991-2022 Unicode, Inc. See unicode-license.txt beside this file.\n")


def main(src, out):
    kept = []
    with open(src, encoding="utf-8", newline="") as f:
        for line in f:
            if int(line.split(";", 1)[0], 16) < 0x2000:
                kept.append(line)
    with open(out, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        f.write("".join(kept))
    print(f"{out}: {len(kept)} lines, {sum(len(l) for l in kept)} characters after the header")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_unicode_excerpt.py UnicodeData.txt OUT")
    main(sys.argv[1], sys.argv[2])
