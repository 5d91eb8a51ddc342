"""Names a Network returns for its projections are those the compiler
gives them, where a population or an earlier `as` has taken the default."""
import pytest

import neuro
from conftest import CELL, KICK

MODELS = CELL + KICK


def test_default_projection_names_skip_taken_names():
    net = neuro.Network("Names")
    net.define(MODELS)
    for name in ("A", "B", "A_to_B"):
        net.population(name, 2, "Cell")
    named = net.connect("A", "B", "S", p=1, w="1 mV", name="A_to_B_1")
    first = net.connect("A", "B", "S", p=1, w="1 mV")
    second = net.connect("A", "B[0:1]", "S", p=1, w="2 mV")
    assert [named, first, second] == ["A_to_B_1", "A_to_B_2", "A_to_B_3"]
    net.run("1 ms")
    model = net.compile()
    assert set(model.projections) == {named, first, second}
    # Each name is its own projection (the last one onto B[0:1] only).
    sim = model.simulation()
    assert [sim.num_synapses(n) for n in (named, first, second)] == [4, 4, 2]


def test_a_population_may_not_take_a_projection_name():
    net = neuro.Network("Late")
    net.define(MODELS)
    net.population("A", 2, "Cell")
    net.population("B", 2, "Cell")
    net.connect("A", "B", "S", p=1, w="1 mV")
    with pytest.raises(ValueError, match="'A_to_B' names a projection"):
        net.population("A_to_B", 2, "Cell")


def test_statements_take_names_as_their_methods_do():
    # Populations and connects written with statement() were not counted:
    # connect() then returned a name the compiler gave another projection.
    net = neuro.Network("Written")
    net.define(MODELS)
    net.population("A", 2, "Cell")
    net.statement("B = 2 of Cell")
    net.statement("A_to_B = 1 of Cell")
    net.statement("connect A -> B with S(w = 1 mV) p = 1")
    ours = net.connect("A", "B[0:1]", "S", p=1, w="1 mV")
    assert ours == "A_to_B_2"
    with pytest.raises(ValueError, match="names a projection"):
        net.statement("A_to_B_2 = 1 of Cell")
    net.run("1 ms")
    sim = net.compile().simulation()
    assert sim.num_synapses(ours) == 2
    assert sim.num_synapses("A_to_B_1") == 4
