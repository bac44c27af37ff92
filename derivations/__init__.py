"""derivations: one module per paper's model, built on :mod:`symbolic`.

``load(name)`` returns a :class:`symbolic.Model`.  ``name`` is a registered model
(see :data:`MODELS`), a dotted module path, or the path of a ``.py`` file; the module must
define ``build() -> Model``.
"""
from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from symbolic import Model, UnknownNameError

#: Registered models: name -> module.
MODELS = {
    "csd_signaling": "derivations.csd_signaling",
}

_CACHE: dict[str, Model] = {}


def available() -> list[str]:
    """Names of the registered models."""
    return list(MODELS)


def load(name: str) -> Model:
    """The model called ``name`` (built once per process, then cached)."""
    if name in _CACHE:
        return _CACHE[name]
    model = module(name).build()
    _CACHE[name] = model
    return model


def module(name: str):
    """The module defining model ``name`` (it has a ``build()`` function)."""
    if name in MODELS:
        module = importlib.import_module(MODELS[name])
    elif name.endswith(".py") and Path(name).is_file():
        spec = importlib.util.spec_from_file_location(Path(name).stem, name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    elif "." in name and importlib.util.find_spec(name.split(".")[0]) is not None:
        module = importlib.import_module(name)
    else:
        raise UnknownNameError(f"unknown model {name!r}; models are: {', '.join(MODELS)}")
    if not hasattr(module, "build"):
        raise UnknownNameError(f"module {name!r} defines no build() function")
    return module


__all__ = ["MODELS", "available", "load", "module"]
