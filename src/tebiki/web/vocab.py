"""The web side of the one vocabulary (tebiki.core.vocabulary) and of the request's language.

The language is chosen once per request by Django's LocaleMiddleware; `lang()` reads that choice as "ja" or "en"
for everything that picks catalog text or vocabulary labels. Django choices are built from the vocabulary with
labels that resolve lazily in the language active when they are shown.
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
from django.utils.functional import lazy

from tebiki.core.vocabulary import Lang, Terms, lang_of


def lang() -> Lang:
    """The language of the current request (or command), as resolved by the locale middleware.

    With translation deactivated (management commands, migrations) Django shows its English msgids; so do we.
    """
    code = translation.get_language()
    return "en" if code is None else lang_of(code)


def _label(terms: Terms, code: str) -> str:
    return terms.label(code, lang())


lazy_label = lazy(_label, str)


def text_choices(name: str, terms: Terms) -> type[models.TextChoices]:
    """A TextChoices enum whose members are the vocabulary's codes (DONE = "done") and labels its ja/en."""
    return models.TextChoices(name, [(t.code.upper(), (t.code, lazy_label(terms, t.code))) for t in terms])


def label(terms: Terms, code: str | None) -> str:
    """The label of *code* in the request's language; an empty code is an empty label."""
    return terms.label(code, lang()) if code else ""
