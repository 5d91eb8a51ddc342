"""Statistics of a Brunel (2000) run, shared by the comparison with Brian2
(tests/lit/Classic/brunel2000.test) and bench/brunel2000.py.

stats(i, t, n, t0, t1, dt) -> dict: the mean rate (Hz) over [t0, t1), the
mean coefficient of variation of the inter-spike intervals (neurons with at
least 5 spikes), the frequency (Hz) and relative height of the largest peak
of the population rate's power spectrum above 10 Hz (binned at 1 ms), and
the Fano factor of the population count in 1 ms bins (large when the
population fires in synchrony).
"""
import numpy as np


def stats(i, t, n, t0, t1, bin_s=1e-3):
    i = np.asarray(i)
    t = np.asarray(t)
    keep = (t >= t0) & (t < t1)
    i, t = i[keep], t[keep]
    duration = t1 - t0
    rate = len(t) / (n * duration)
    order = np.lexsort((t, i))
    i, t = i[order], t[order]
    cvs = []
    starts = np.searchsorted(i, np.arange(n))
    ends = np.searchsorted(i, np.arange(n), side="right")
    for b, e in zip(starts, ends):
        if e - b >= 5:
            isi = np.diff(t[b:e])
            cvs.append(isi.std() / isi.mean())
    bins = int(round(duration / bin_s))
    counts, _ = np.histogram(t, bins=bins, range=(t0, t1))
    counts = counts.astype(float)
    fano = counts.var() / counts.mean() if counts.mean() > 0 else 0.0
    spectrum = np.abs(np.fft.rfft(counts - counts.mean())) ** 2
    freqs = np.fft.rfftfreq(bins, bin_s)
    band = freqs >= 10
    peak = int(np.argmax(spectrum[band]))
    return {
        "rate_hz": rate,
        "cv": float(np.mean(cvs)) if cvs else float("nan"),
        "peak_hz": float(freqs[band][peak]),
        "peak_share": float(spectrum[band][peak] / spectrum[band].sum()),
        "fano": float(fano),
    }
