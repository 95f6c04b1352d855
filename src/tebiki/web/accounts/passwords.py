"""Password strength: zxcvbn's estimate of how guessable a password is, next to the 12-character minimum."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django_zxcvbn_password_validator import ZxcvbnPasswordValidator


class StrengthValidator(ZxcvbnPasswordValidator):
    """Refuses passwords that zxcvbn scores below PASSWORD_MINIMAL_STRENGTH; its feedback comes in Japanese."""

    def get_help_text(self) -> str:
        return _("Hard to guess: a few uncommon words beat a keyboard row, a name, a date or a common phrase.")
