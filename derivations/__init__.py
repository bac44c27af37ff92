"""derivations: one module per paper's model, built on :mod:`symbolic`.

``load(name)`` returns a :class:`symbolic.Model`.  ``name`` is a registered model
(see :data:`MODELS`), a dotted module path, or the path of a ``.py`` file; the module must
define ``build() -> Model``.
"""
from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from symbolic import Model, ToolkitError, UnknownNameError
from symbolic.cache import source_hash

#: Registered models: name -> module.
MODELS = {
    "csd_signaling": "derivations.csd_signaling",
    "alliance_moral_hazard": "derivations.alliance_moral_hazard",
    "called_bluff": "derivations.called_bluff",
    "coalition_formation": "derivations.coalition_formation",
    "coalition_bargaining": "derivations.coalition_bargaining",
    "conflict_expansion": "derivations.conflict_expansion",
}

_CACHE: dict[tuple, Model] = {}


def available() -> list[str]:
    """Names of the registered models."""
    return list(MODELS)


def load(name: str, **options) -> Model:
    """The model called ``name`` (built once per process and per options, then cached).

    ``options`` (e.g. ``dist="power"``) are passed to the module's ``build``; ``None`` values
    are dropped.  A model whose ``build`` does not take an option raises a one-line
    :class:`symbolic.ToolkitError`.
    """
    options = {k: v for k, v in options.items() if v is not None}
    key = (name, tuple(sorted(options.items())))
    if key in _CACHE:
        return _CACHE[key]
    mod = module(name)
    if options:
        import inspect

        accepted = inspect.signature(mod.build).parameters
        for opt in options:
            if opt not in accepted:
                raise ToolkitError(f"model {name!r} takes no --{opt} option (it has no {opt} choice)")
    model = _build(mod, options)
    model.source_fingerprint = fingerprint(name, **options)
    _CACHE[key] = model
    return model


class ModelFileError(ToolkitError):
    """A mistake in a model file, reported as ``file:line: what went wrong`` (the line is the
    model file's own, taken from the traceback).  The original exception is its ``__cause__``."""


def _where(exc: BaseException, path: str) -> str:
    """``file:line`` of the deepest frame of ``exc``'s traceback that lies in ``path``."""
    import traceback

    target = str(Path(path).resolve())
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if str(Path(frame.filename).resolve()) == target:
            line = frame.lineno
    return f"{path}:{line}" if line is not None else str(path)


def _build(mod, options) -> Model:
    """``mod.build(**options)``; any exception becomes one :class:`ModelFileError` line naming the
    model file and line (a :class:`ToolkitError`'s own message, or the Python error and what to do)."""
    try:
        return mod.build(**options)
    except ModelFileError:
        raise
    except ToolkitError as exc:
        raise ModelFileError(f"{_where(exc, mod.__file__)}: {exc}") from exc
    except Exception as exc:
        raise ModelFileError(f"{_where(exc, mod.__file__)}: {type(exc).__name__}: {exc} "
                             "(a mistake in the model's build(); --debug shows the traceback)") from exc


def fingerprint(name: str, **options) -> str:
    """A hash of everything model ``name`` is built from (its module's source, the toolkit's
    sources, library versions, the options): the key of its cached results.  Cheap: the model
    is not built."""
    options = {k: v for k, v in options.items() if v is not None}
    return source_hash(module(name).__file__) + repr(sorted(options.items()))


def module(name: str):
    """The module defining model ``name`` (it has a ``build()`` function)."""
    if name in MODELS:
        module = importlib.import_module(MODELS[name])
    elif name.endswith(".py") and Path(name).is_file():
        spec = importlib.util.spec_from_file_location(Path(name).stem, name)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise ModelFileError(f"{_where(exc, name)}: {type(exc).__name__}: {exc} "
                                 "(the model file cannot be imported; --debug shows the traceback)") from exc
    elif "." in name and importlib.util.find_spec(name.split(".")[0]) is not None:
        module = importlib.import_module(name)
    else:
        raise UnknownNameError(f"unknown model {name!r}; models are: {', '.join(MODELS)}")
    if not hasattr(module, "build"):
        raise UnknownNameError(f"module {name!r} defines no build() function")
    return module


__all__ = ["MODELS", "ModelFileError", "available", "fingerprint", "load", "module"]
