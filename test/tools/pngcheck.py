#!/usr/bin/env python3
"""test/tools/pngcheck.py -- is a screenshot blank?  Decodes a PNG with zlib
(8-bit RGB/RGBA, non-interlaced: what Chromium writes) and prints

    width height nonwhite count(colour1) count(colour2) ...

where nonwhite counts pixels whose channels are not all >= 245, and each
colour given as RRGGBB counts pixels within 24 of it on every channel.

    python3 pngcheck.py shot.png d62728 1f77b4
"""
import struct
import sys
import zlib


def decode(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('%s: not a PNG' % path)
    pos, idat, width = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            width, height, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit('%s: unsupported PNG (depth %d, colour type %d)' % (path, depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b''.join(idat))
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, bpp, rows


def main():
    width, height, bpp, rows = decode(sys.argv[1])
    colours = [tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in sys.argv[2:]]
    nonwhite, counts = 0, [0] * len(colours)
    for line in rows:
        for x in range(width):
            px = line[x * bpp:x * bpp + 3]
            if min(px) < 245:
                nonwhite += 1
            for j, col in enumerate(colours):
                if all(abs(px[i] - col[i]) <= 24 for i in range(3)):
                    counts[j] += 1
    print(width, height, nonwhite, *counts)


if __name__ == '__main__':
    main()
