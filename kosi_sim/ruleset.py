"""Which implementation of the behavioural rules a model runs.

Every submodel with compiled kernels states its rules twice, side by side: plain numpy
functions in its ``rules`` module (the ODD's formulas, readable) and numba kernels with the
same keyword-only signatures in its ``kernels`` module (the fast path, tested equal to the
rules).  A model chooses one of the two when it is built (``CityModel(rules=...)``, else
the environment variable ``KOSI_RULES``, else the kernels) and keeps the choice for its
life; nothing global changes.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from types import ModuleType, SimpleNamespace

#: the environment variable read when a model is built without ``rules=``
ENV = "KOSI_RULES"
KERNELS = "kernels"
NUMPY = "numpy"
CHOICES = (KERNELS, NUMPY)


class RulesError(ValueError):
    """An unknown choice of rules; the message is one line and names the allowed ones."""


def choose(rules: str | None = None) -> str:
    """``rules`` if given, else ``$KOSI_RULES`` if set and not empty, else ``"kernels"``."""
    if rules is None:
        value, source = os.environ.get(ENV, "").strip() or KERNELS, ENV
    else:
        value, source = rules, "rules"
    if value not in CHOICES:
        raise RulesError(f"{source}={value!r} is not allowed: use one of {', '.join(CHOICES)}")
    return value


def pick(rules: str, numpy_rules: ModuleType, kernels: ModuleType) -> ModuleType:
    """The module of a submodel that implements ``rules`` (a value of :func:`choose`)."""
    if rules not in CHOICES:
        raise RulesError(f"rules={rules!r} is not allowed: use one of {', '.join(CHOICES)}")
    return numpy_rules if rules == NUMPY else kernels


def fast_path_of(rule: Callable) -> Callable[[Callable], Callable]:
    """Decorator: the decorated function is the compiled fast path of ``rule`` and is called
    exactly as ``rule`` is (by keyword, the same names and defaults: it gets
    ``rule``'s signature).  It receives the arguments as one namespace ``a`` and passes them
    to its kernel in the kernel's order, so a call cannot swap two arrays silently, and an
    unknown, missing or positional argument is a ``TypeError``."""
    signature = inspect.signature(rule)
    params = signature.parameters.values()
    defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
    required = frozenset(p.name for p in params if p.name not in defaults)
    allowed = frozenset(signature.parameters)

    def wrap(fast: Callable) -> Callable:
        @functools.wraps(rule)
        def call(*args, **kwargs):
            if args or not required <= kwargs.keys() <= allowed:
                signature.bind(*args, **kwargs)  # raises the TypeError that names the problem
            return fast(SimpleNamespace(**{**defaults, **kwargs}))

        call.__doc__ = f"The compiled fast path of :func:`{rule.__module__}.{rule.__name__}`."
        call.__module__ = fast.__module__
        call.__wrapped__ = fast
        call.__signature__ = signature
        return call

    return wrap
