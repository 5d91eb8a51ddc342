"""Copies argv[1] to argv[2] with bytes changed: each further argument is
OFFSET=VALUE (decimal), as a damaged disk or transfer would leave them."""
import sys

data = bytearray(open(sys.argv[1], "rb").read())
for change in sys.argv[3:]:
    offset, value = (int(x) for x in change.split("="))
    data[offset] = value
open(sys.argv[2], "wb").write(data)
