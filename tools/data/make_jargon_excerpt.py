#!/usr/bin/env python3
"""Makes the character-model corpus bundled with cellgraph from the Jargon File 4.4.7.

Source: Debian package jargon-text 4.4.7-4.1, /usr/share/doc/jargon-text/jargon.txt.gz
(upstream http://www.catb.org/~esr/jargon/). Its copyright file says: "This document (the
Jargon File) is in the public domain, to be freely used, shared, and modified."

Kept: chapters 1-2 and 4-12 of the introduction and appendices A-C (prose; chapter 3, the
revision table, and the glossary of entries are left out). Box-drawing tables are dropped,
typographic quotes, dashes and the few accented letters are mapped to ASCII, and the three-space
indent is removed, so the vocabulary is printable ASCII plus newline.

    apt-get download jargon-text && dpkg-deb -x jargon-text_*.deb x
    python3 tools/data/make_jargon_excerpt.py x/usr/share/doc/jargon-text/jargon.txt.gz OUT

With --with-glossary (the larger text of docs/training.md's experiment, 1,433,301 characters, not
bundled) the glossary's entries are kept too, and their rarer characters (Greek letters, symbols)
become their base letter or '?'.
"""
import gzip
import sys
import unicodedata

MAP = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": "--",
       "\u2192": "->", "\u2022": "*", "\u00a9": "(c)", "\u00a0": " ", "\u00f6": "o",
       "\u00e9": "e", "\u00e8": "e", "\u00d7": "x", "\u00b7": "-", "\u00b4": "'"}
BOX = set("\u2500\u2502\u253c\u2524\u251c\u2534\u252c\u2518\u2514\u2510\u250c\u2550")


def ascii_of(c):
    """A character outside printable ASCII: its base letter when it has one (e with an accent: e), else '?'."""
    if ord(c) <= 126:
        return c
    base = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode("ascii")
    return base if base else "?"


def main(src, out, glossary=False):
    # headings use no-break spaces ("Chapter\u00a01.\u00a0Hacker ..."): normalize them first
    lines = gzip.open(src, "rt", encoding="utf-8").read().replace("\u00a0", " ").split("\n")
    start_appendix = next(i for i, l in enumerate(lines) if l.startswith("Appendix A. Hacker Folklore"))
    ch1 = lines.index("Chapter 1. Hacker Slang and Hacker Culture")
    ch3 = lines.index("Chapter 3. Revision History")
    ch4 = lines.index("Chapter 4. Jargon Construction")
    gloss = lines.index("Glossary")
    # the glossary opens with its list of headwords; its entries begin at the first ":headword:"
    entries = next(i for i in range(gloss, start_appendix) if lines[i].startswith("   :"))
    keep = lines[ch1:ch3] + lines[ch4:gloss] + (lines[entries:start_appendix] if glossary else []) \
        + lines[start_appendix:]
    text = []
    for l in keep:
        if any(c in BOX for c in l):
            continue
        l = "".join(MAP.get(c, c) for c in l)
        if glossary:
            l = "".join(ascii_of(c) for c in l)
        if any(ord(c) > 126 for c in l):
            raise SystemExit("unmapped character in: " + l)
        text.append(l[3:] if l.startswith("   ") else l)
    body = "\n".join(text)
    while "\n\n\n" in body:
        body = body.replace("\n\n\n", "\n\n")
    with open(out, "w", encoding="ascii", newline="\n") as f:
        f.write(body.strip() + "\n")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--with-glossary"]
    main(args[0], args[1], "--with-glossary" in sys.argv[1:])
