"""Errors of the Python API name its arguments (tunable=, overrides=), not
neuroc's flags (--tunable, --set), which a Python user never typed."""
import os

import pytest

import neuro
from conftest import EXAMPLES

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
        "are compiled into the kernels (compile the model with "
        "tunable=['E.v_th'] to set them here)")
