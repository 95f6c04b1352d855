"""Sessions that expire after SESSION_COOKIE_AGE without activity, written only when something changes.

Django either rewrites the session on every request (SESSION_SAVE_EVERY_REQUEST, one database write per page view)
or lets it expire a fixed time after sign-in. Here the session engine remembers the expiry stored in the database,
and the middleware saves an unchanged session only when that expiry would move by SESSION_TOUCH_SECONDS or more:
the eight hours keep restarting with activity, in steps of a few minutes.

SESSION_ENGINE = "tebiki.web.sessions"; sessions stay in the database table of django.contrib.sessions.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends import db
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Django's database sessions, keeping the expiry the row had when it was read."""

    stored_expiry: dt.datetime | None = None

    def _get_session_from_db(self):
        s = super()._get_session_from_db()
        self.stored_expiry = s.expire_date if s is not None else None
        return s


class SlidingExpiryMiddleware:
    """Saves a session that was read but not changed once its stored expiry lags SESSION_TOUCH_SECONDS behind."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        stored = getattr(session, "stored_expiry", None)
        if session is None or stored is None or session.modified or not session.accessed or session.is_empty():
            return response
        fresh = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        if (fresh - stored).total_seconds() >= settings.SESSION_TOUCH_SECONDS:
            session.modified = True  # SessionMiddleware saves it, with a new expiry and cookie
        return response
