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


def test_state_started_by_values_is_set_as_any_other(tmp_path):
    # values() gives starting values only: the run never writes the row
    # from it again, so set() and a view written before the first step
    # take effect (v decays from 0.5 mV by exp(-0.1 ms / 10 ms) a step).
    (tmp_path / "v.csv").write_text("v\n0.1\n0.2\n")
    source = CELL.replace("1 mV", "100 mV") + """
network V {
  A = 2 of Cell(v = values("v.csv", 1 mV))
  run 1 ms
}
"""
    path = tmp_path / "m.neuro"
    path.write_text(source)
    sim = neuro.compile(str(path)).simulation()
    sim["A.v"][:] = 0.5e-3
    sim.run("0.1 ms")
    decay = 0.99004983374916805
    assert sim["A.v"][0] == pytest.approx(0.5e-3 * decay, rel=1e-12)
    sim.set("A.v", "0.25 mV")
    assert sim["A.v"][1] == pytest.approx(0.25e-3, rel=1e-12)
    sim.run("0.1 ms")
    assert sim["A.v"][1] == pytest.approx(0.25e-3 * decay, rel=1e-12)


def test_set_of_a_name_the_model_does_not_have():
    # E's model has no q: the error says so, not that q could be made
    # tunable (which neuro.compile would refuse).
    model = neuro.compile(CUBA)
    with pytest.raises(ValueError) as e:
        model.simulation(set={"E.q": "1 mV"})
    assert str(e.value) == ("'E' has no variable 'q' (set= takes its states "
                            "and parameters)")
