"""The assistant's errors, under the one hierarchy rooted in `index.errors.PolicyError`.

The HTTP edge maps each class to a status code in one place (`assistant/http/errors.py`); the CLI prints
the message and exits non-zero; the UI shows the same message.
"""

from index.errors import PolicyError


class AssistantError(PolicyError):
    """Base class for errors the user can act on."""


class InputError(AssistantError):
    """The request is malformed or asks for something the rules do not accept (HTTP 422)."""


class NotFoundError(AssistantError):
    """A named program, clause or document does not exist (HTTP 404)."""


class UnknownProgramError(NotFoundError, InputError):
    """The calculator has no program by that id."""


class AmountParseError(InputError):
    """Text could not be read as an amount of money or a percentage; we never guess."""


class IndexUnavailableError(AssistantError):
    """The on-disk index is missing, corrupted or built with another embedder (HTTP 503)."""


class StorageUnavailableError(AssistantError):
    """The data dir cannot be written or read right now (disk full, read-only, damaged file) (HTTP 503).

    The message says what happened in words an operator can act on; it never carries a raw SQLite error.
    """
