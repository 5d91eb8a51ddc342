"""Files of a run of 2T against those of a run of T plus a restored run of
T: each array of the long run equals the two halves concatenated."""
import sys

import numpy as np

full, first, second = sys.argv[1:4]
for name in sys.argv[4:]:
    a = np.load(f"{full}/{name}")
    b = np.concatenate([np.load(f"{first}/{name}"),
                        np.load(f"{second}/{name}")])
    same = a.shape == b.shape and a.tobytes() == b.tobytes()
    print(f"{name}: {len(a)} {'identical' if same else 'DIFFERENT'}")
