"""What free text tebiki stores: no control characters except tab and line breaks.

PostgreSQL refuses NUL in a text column and Office XML refuses the other C0 controls, so a control character
typed, pasted or sent through the API is refused at the field with a message, never stored and never a 500.
Forms, the JSON API and the content schema all use the pattern here.
"""

from __future__ import annotations

import re

CONTROL_CHARACTERS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
NO_CONTROL = f"^[^{CONTROL_CHARACTERS}]*$"  # a whole-string pattern, for pydantic StringConstraints and forms
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def no_control_characters(text: str) -> str:
    """A pydantic AfterValidator: the text unchanged, or ValueError."""
    if has_control_characters(text):
        raise ValueError("control characters are not allowed")
    return text
