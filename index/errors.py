"""The root of the project's error hierarchy.

`index/` raises these; `assistant/errors.py` extends them, and the HTTP edge maps every class to a status
code in one place (`assistant/http/errors.py`).
"""


class PolicyError(Exception):
    """Base class for every error the project raises on purpose (the user or operator can act on it)."""
