"""Checks the figures neuroc plot wrote: every PNG decodes (chunk CRCs,
zlib stream, 800 x 500 RGB rows) and is not blank; every SVG is well-formed
XML with its title and axis labels; the raster has one dot per spike. For
the PNG's text, prints the box of the dark pixels in each place text goes
(title, axis labels, tick values; plot area 80-780 x 40-445)."""
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

import numpy as np

out = sys.argv[1]
for name in sys.argv[2:]:
    data = open(f"{out}/{name}.png", "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, size = 8, b"", None
    while at < len(data):
        (n,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + n]
        (crc,) = struct.unpack(">I", data[at + 8 + n:at + 12 + n])
        assert zlib.crc32(kind + body) == crc, name
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        if kind == b"IDAT":
            idat += body
        at += 12 + n
    raw = zlib.decompress(idat)
    w, h = size
    assert len(raw) == h * (1 + 3 * w), name
    pixels = np.frombuffer(raw, np.uint8).reshape(h, 1 + 3 * w)[:, 1:]
    dark = int((pixels < 128).sum())
    def box(x0, x1, y0, y1):
        ys, xs = np.nonzero(pixels[y0:y1, 3 * x0:3 * x1].reshape(
            y1 - y0, x1 - x0, 3).min(axis=2) < 128)
        if len(xs) == 0:
            return "blank"
        return (f"x {x0 + xs.min()}-{x0 + xs.max()} "
                f"y {y0 + ys.min()}-{y0 + ys.max()}")
    print(f"{name} png text: title {box(0, w, 0, 38)}; "
          f"x label {box(0, w, 466, h)}; y label {box(0, 30, 40, 446)}; "
          f"x ticks {box(60, w, 451, 466)}; y ticks {box(30, 75, 30, 451)}")
    svg = ET.parse(f"{out}/{name}.svg").getroot()
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    dots = len(list(svg.iter("{http://www.w3.org/2000/svg}circle")))
    print(f"{name}: {w}x{h} png, {dark > 1000 and 'marks' or 'BLANK'}, "
          f"title '{texts[0]}', labels '{texts[-2]}' '{texts[-1]}', "
          f"{dots} dots")
spikes = np.load(f"{out}/spikes_E.npy")
print(f"spikes of E: {len(spikes)}")
