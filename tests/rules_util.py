"""Calling a rule and its kernel on the same inputs, taken by name from a model's state."""

from __future__ import annotations

import inspect

import numpy as np


def inputs(rule, *sources, **given) -> dict:
    """The arguments of ``rule`` (a plain rule or its fast path): ``given`` ones, else the
    attribute of that name of the first of ``sources`` (a population, the parameters) that
    has one, else the default.  Arrays are copied, so rules that write in place write to
    the copies."""
    args = {}
    for name, param in inspect.signature(rule).parameters.items():
        if name in given:
            value = given[name]
        else:
            source = next((s for s in sources if hasattr(s, name)), None)
            if source is None:
                assert param.default is not inspect.Parameter.empty, f"{name}: no source"
                continue
            value = getattr(source, name)
        args[name] = np.copy(value) if isinstance(value, np.ndarray) else value
    return args


def assert_same(rule, fast, *sources, **given) -> tuple:
    """Call ``rule`` and ``fast`` on equal copies of the inputs; assert that they return
    the same bits (each array of a tuple in turn) and leave the same bits in every array
    they were given.  Returns the rule's result and its arguments after the call."""
    a, b = inputs(rule, *sources, **given), inputs(fast, *sources, **given)
    want, got = rule(**a), fast(**b)
    pairs = zip(want, got, strict=True) if isinstance(want, tuple) else [(want, got)]
    for w, g in pairs:  # a tuple of results: element by element
        if w is None:
            assert g is None
        else:
            assert g.dtype == w.dtype
            np.testing.assert_array_equal(g, w)
    for name, value in a.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(b[name], value, err_msg=name)
    return want, a
