"""Flips bit 3 of the middle byte of every file of DIR whose name ends with
SUFFIX."""
import os
import sys

folder, suffix = sys.argv[1:3]
for name in sorted(os.listdir(folder)):
    if name.endswith(suffix):
        path = os.path.join(folder, name)
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 8
        open(path, "wb").write(data)
