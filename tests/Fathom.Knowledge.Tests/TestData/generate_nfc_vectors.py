#!/usr/bin/env python3
"""Writes nfc-vectors.txt: every single code point that NFC changes, then random strings of
'interesting' code points, each with its NFC from Python's unicodedata: the reference the managed
NFC in Fathom.Knowledge is checked against.
Run: python3 generate_nfc_vectors.py > nfc-vectors.txt"""
import random
import unicodedata as ud

rng = random.Random(20261123)
pool = []
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    ch = chr(cp)
    if ud.combining(ch) or (ud.decomposition(ch) and not ud.decomposition(ch).startswith("<")):
        pool.append(cp)
pool += list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176)) + list(range(0x11A8, 0x11C3))
pool += [0xAC00, 0xAC01, 0xD7A3, 0xB098] + [ord(c) for c in "aeiouAEIOUnNcCsSzZ "]
print(f"# Unicode {ud.unidata_version}: input code points<TAB>NFC code points, hex")
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF:
        continue
    n = ud.normalize("NFC", chr(cp))
    if n != chr(cp):
        print(f"{cp:X}\t" + " ".join(f"{ord(c):X}" for c in n))
for _ in range(1500):
    s = "".join(chr(rng.choice(pool)) for _ in range(rng.randint(1, 6)))
    n = ud.normalize("NFC", s)
    print(" ".join(f"{ord(c):X}" for c in s) + "\t" + " ".join(f"{ord(c):X}" for c in n))
