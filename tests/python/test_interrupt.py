"""Ctrl-C (SIGINT) in the Python API: a run stops at the step it reached,
a build stops at its next check (between blocks of sources)."""
import os
import signal
import threading
import time

import pytest

import neuro
from conftest import CELL, EXAMPLES, KICK


def test_ctrl_c_stops_at_a_step():
    sim = neuro.compile(os.path.join(EXAMPLES, "cuba.neuro")).simulation()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sim.run("1000 s")
    timer.cancel()
    reached = sim.step
    assert 0 < reached < 10_000_000
    sim.run("1 ms")  # still usable
    assert sim.step == reached + 10


# A `where` rule is evaluated for every pair: 2e10 pairs here, an hour or
# so of building, which only an interrupt ends within the test's time.
LONG_BUILD = CELL + KICK + """
network Net {
  A = 200000 of Cell
  B = 100000 of Cell
  connect A -> B with S(w = 1 mV) where (i + j) % 1000 == 0
  run 1 ms
}
"""


@pytest.mark.parametrize("threads", [1, 2])
def test_ctrl_c_stops_a_build(threads):
    model = neuro.compile_source(LONG_BUILD)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        model.simulation(threads=threads)
    timer.cancel()
    # Not a timing target: a build that ignored the interrupt would run
    # for an hour.
    assert time.monotonic() - start < 60
    # The same model builds (and is interrupted) again.
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        model.simulation(threads=threads)
    timer.cancel()
    # A small network of the same text builds and runs after both.
    small = neuro.compile_source(LONG_BUILD.replace("200000", "20")
                                 .replace("100000", "10"))
    sim = small.simulation()
    sim.run("1 ms")
    assert sim.step == 10
