"""Errors of the Python API name its arguments (tunable=, overrides=), not
neuroc's flags (--tunable, --set), which a Python user never typed."""
import os

import pytest

import neuro
from conftest import CELL, EXAMPLES

CUBA = os.path.join(EXAMPLES, "cuba.neuro")


def test_compile_errors_name_the_arguments():
    with pytest.raises(neuro.CompileError) as e:
        neuro.compile(CUBA, tunable=["E.nothing"])
    assert "tunable E.nothing: 'E' has no parameter or state 'nothing'" in \
        str(e.value)
    assert "--" not in str(e.value)


def test_set_errors_name_the_arguments():
    model = neuro.compile(CUBA)
    with pytest.raises(ValueError) as e:
        model.simulation(set={"E.v_th": "-50 mV"})
    assert str(e.value) == (
        "'E.v_th' is not a state or a parameter built to be set; parameters "
        "are compiled into the kernels (make one settable with "
        "tunable=['E.v_th'] in neuro.compile())")


SYNAPSE_PARAM = CELL + """
synapse S {
  param tau: ms = 5 ms
  weight w: mV
  post state g: mV = 0 mV
  dg/dt = -g / tau
  on pre { g += w }
}
network N {
  A = 2 of Cell
  connect A -> A with S(w = 1 mV) p = 1
  run 1 ms
}
"""


def test_tunable_synapse_parameter_names_overrides():
    with pytest.raises(neuro.CompileError) as e:
        neuro.compile_source(SYNAPSE_PARAM, tunable=["A_to_A.tau"])
    assert ("(overrides={'A_to_A.tau': VALUE} compiles another value)"
            in str(e.value))
    assert "--" not in str(e.value)


TIMED = CELL.replace("neuron Cell {", "neuron Cell {\n  param I_ext: mV = 0 mV") \
    + """
network T {
  A = 1 of Cell(I_ext = timed([0 mV, 20 mV], 5 ms))
  run 10 ms
}
"""


def test_set_of_a_timed_parameter_is_refused():
    # The table writes the row at every step: a value set between runs
    # would be gone before the next step used it.
    sim = neuro.compile_source(TIMED).simulation()
    with pytest.raises(RuntimeError) as e:
        sim.set("A.I_ext", "20 mV")
    assert "'A.I_ext' follows a table in time (timed), which sets it at " \
        "every step" in str(e.value)
