"""Errors the toolkit raises on purpose.

Every error a user can provoke (a bad parameter value, an unknown model or quantity, an
indifference condition with no solution in the domain) is a :class:`ToolkitError`; its message
is one line that names what went wrong, so the command line can print it without a traceback.
"""


class ToolkitError(Exception):
    """Base class: a clear, one-line, user-facing error."""


class DomainError(ToolkitError, ValueError):
    """A parameter value is missing, not a number, or outside the parameter's domain."""


class UnknownNameError(ToolkitError, KeyError):
    """An unknown model, quantity, parameter or claim was asked for."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


class DerivationError(ToolkitError):
    """A derivation step failed: no root in the domain, direction undecided, solver budget spent."""
