#!/usr/bin/env python3
"""A second implementation of calib.normalize_answer's documented rules
(docs/votes.md), written from the documentation in Python on Python's own
Unicode database: simple case folding derived from str.casefold() and
str.lower() (not from CaseFolding.txt, which the C tables come from), general
categories from unicodedata.

    normalize_reference.py inputs CSV       write id,input test cases
    normalize_reference.py check CSV CSV    compare with calib's id,output

Inputs: every code point Python knows (assigned in its Unicode version) alone
and between letters, then random strings from an alphabet of interesting
pieces (numbers, signs, articles, spaces, punctuation, case pairs)."""
import csv
import random
import re
import sys
import unicodedata

EXTRA_SPACE = "\u200b\u2060\ufeff"
WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                  + "".join(chr(c) for c in range(0x2000, 0x200B)) + EXTRA_SPACE)


def simple_fold(c):
    full = c.casefold()
    if len(full) == 1:
        return full                   # status C
    low = c.lower()
    return low if len(low) == 1 else c  # status S (e.g. U+1E9E -> U+00DF) or none


def is_punct(c):
    return c == "`" or unicodedata.category(c).startswith("P")


NUMBER = re.compile(r"([+-]?)(?:((?:[1-9][0-9]{0,2}(?:,[0-9]{3})+)|[0-9]+)(?:\.([0-9]+))?|\.([0-9]+))(%?)")


def canonical_number(tok):
    m = NUMBER.fullmatch(tok)
    if not m:
        return tok
    sign, intpart, frac1, frac2, pct = m.groups()
    intpart = (intpart or "").replace(",", "").lstrip("0") or "0"
    frac = (frac1 if frac1 is not None else frac2 or "").rstrip("0")
    zero = intpart == "0" and frac == ""
    out = ("-" if sign == "-" and not zero else "") + intpart
    if frac:
        out += "." + frac
    return out + pct


def starts_number(s, i):
    j = i
    if s[j] in "+-":
        j += 1
    if j < len(s) and s[j] == ".":
        j += 1
    return j > i and j < len(s) and s[j] in "0123456789"


def strip_leading(s):
    i = 0
    while i < len(s) and (s[i] == " " or (is_punct(s[i]) and not starts_number(s, i))):
        i += 1
    return s[i:]


def strip_trailing(s):
    end = 0
    for i, c in enumerate(s):
        if (c != " " and not is_punct(c)) or (c == "%" and i > 0 and s[i - 1] in "0123456789"):
            end = i + 1
    return s[:end]


def normalize(s):
    # 1. whitespace, 2. folding (and U+2212)
    words = "".join(" " if c in WHITE_SPACE else c for c in s).split(" ")
    s = " ".join(w for w in words if w)
    s = "".join("-" if c == "\u2212" else simple_fold(c) for c in s)
    # 3. surrounding punctuation
    s = strip_leading(strip_trailing(s))
    # 4. articles while something remains
    while True:
        for a in ("the ", "an ", "a "):
            if s.startswith(a) and len(s) > len(a):
                rest = strip_leading(s[len(a):])
                if rest:
                    s = rest
                    break
        else:
            break
    # 5. numbers
    return " ".join(canonical_number(t) for t in s.split(" ")) if s else s


def inputs(path):
    rng = random.Random(20241125)
    known = [chr(c) for c in range(1, 0x110000)
             if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]
    cased = [c for c in known if simple_fold(c) != c]
    punct = [c for c in known if is_punct(c)]
    spaces = sorted(WHITE_SPACE)
    atoms = ["the ", "The ", "a ", "An ", "A", "the", " ", "  ", "-", "+", ".", ",", "%", "0", "00",
             "1", "5", "9", "123", "1,000", ",000", ".5", "\u2212", "e3", "'", '"', "(", ")", "`",
             "x", "Paris", "ß", "ẞ", "İ", "Σ", "ς", "K"]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        n = 0
        for c in known:
            w.writerow([n, c]); n += 1
            w.writerow([n, "x" + c + "y"]); n += 1
        for _ in range(200000):
            parts = []
            for _ in range(rng.randint(0, 10)):
                r = rng.random()
                if r < 0.6:
                    parts.append(rng.choice(atoms))
                elif r < 0.75:
                    parts.append(rng.choice(cased))
                elif r < 0.9:
                    parts.append(rng.choice(punct))
                else:
                    parts.append(rng.choice(spaces))
            w.writerow([n, "".join(parts)]); n += 1
    print(f"{n} inputs, Unicode {unicodedata.unidata_version}", file=sys.stderr)


def check(inputs_path, outputs_path):
    with open(inputs_path, newline="", encoding="utf-8") as f:
        cases = {int(i): s for i, s in csv.reader(f)}
    with open(outputs_path, newline="", encoding="utf-8") as f:
        got = {int(i): s for i, s in csv.reader(f)}
    bad = [(i, cases[i], got.get(i), normalize(cases[i]))
           for i in sorted(cases) if got.get(i) != normalize(cases[i])]
    for i, s, ours, ref in bad[:25]:
        print(f"mismatch #{i}: input {s!r} ({' '.join('U+%04X' % ord(c) for c in s[:6])}): "
              f"calib {ours!r}, reference {ref!r}")
    print(f"normalize_reference: {len(cases) - len(bad)} of {len(cases)} agree "
          f"(Python's Unicode {unicodedata.unidata_version})")
    return 1 if bad or len(got) != len(cases) else 0


if __name__ == "__main__":
    if sys.argv[1] == "inputs":
        inputs(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2], sys.argv[3]))
