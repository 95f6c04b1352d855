"""Sessions that expire after SESSION_COOKIE_AGE without activity, written only when something changes.

Django either rewrites the session on every request (SESSION_SAVE_EVERY_REQUEST, one database write per page view)
or lets it expire a fixed time after sign-in. This middleware keeps the sliding expiry and saves a session whose
content is unchanged only when its last save is SESSION_TOUCH_SECONDS old, so the expiry moves in steps of a few
minutes out of eight hours.
"""

from __future__ import annotations

import time

from django.conf import settings

TOUCHED = "_tebiki_touched"


class SlidingExpiryMiddleware:
    """Marks an existing, non-empty session modified when its last save is older than SESSION_TOUCH_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or not session.session_key or session.is_empty():
            _stamp(session)
            return response
        touched = session.get(TOUCHED, 0)
        if time.time() - touched >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED] = int(time.time())  # marks it modified: SessionMiddleware saves it and resets the expiry
        return response


def _stamp(session) -> None:
    """A session about to be saved anyway records when, so the next touch is counted from there."""
    if session is not None and session.modified and not session.is_empty():
        session[TOUCHED] = int(time.time())
