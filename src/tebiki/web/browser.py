"""The middlewares for people in a browser, skipped by a device's upload that carries no cookie.

An agent's upload (`/api/v1/agent/…`) authenticates with a bearer token and sends no cookie: it has no session to
load, no user to sign in or verify and no messages. Yet each of these middlewares builds its lazy objects on every
request; for an upload that only costs time (issue 19). Each class here is the middleware it is named after,
except that such an upload goes straight to the next one.

Only a request without any cookie on the agent's paths takes the short way, so for it each skipped middleware
would have done nothing: no session read or written, an anonymous user, no second factor asked for, no message or
cookie set, no language chosen (nothing in an upload's answer is translated). Nothing on those paths reads
request.user, request.session, messages or the active language. A request with a cookie, and every other path, goes
through them as before. The security headers, CSRF check, size limits and django-axes (sign-in lockout) run for
every request, as they did. The content security policy does too, but an
answer of the JSON API (`/api/…`, with or without a cookie) gets a fixed one that allows nothing (CSPMiddleware).
"""

from __future__ import annotations

from csp import middleware as csp
from csp.constants import HEADER as CSP_HEADER
from django.contrib.auth import middleware as auth
from django.contrib.messages import middleware as messages
from django.contrib.sessions import middleware as sessions
from django.middleware import locale
from django_otp import middleware as otp

from tebiki.web.accounts import mfa

AGENT_PREFIX = "/api/v1/agent/"
API_PREFIX = "/api/"
# The JSON API is never a page: its answers allow nothing to load, run or frame them (OWASP's REST Security Cheat
# Sheet asks API answers for frame-ancestors 'none'; default-src 'none' forbids the rest).
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def is_cookieless_upload(request) -> bool:
    """A device's upload: the agent API, and no cookie for a browser middleware to read."""
    return request.path_info.startswith(AGENT_PREFIX) and not request.META.get("HTTP_COOKIE")


class SkipForUploads:
    def __call__(self, request):
        if is_cookieless_upload(request):
            return self.get_response(request)
        return super().__call__(request)


class SessionMiddleware(SkipForUploads, sessions.SessionMiddleware):
    pass


class AuthenticationMiddleware(SkipForUploads, auth.AuthenticationMiddleware):
    pass


class OTPMiddleware(SkipForUploads, otp.OTPMiddleware):
    pass


class MFAMiddleware(SkipForUploads, mfa.MFAMiddleware):
    pass


class MessageMiddleware(SkipForUploads, messages.MessageMiddleware):
    pass


class LocaleMiddleware(SkipForUploads, locale.LocaleMiddleware):
    """An upload's answer is not in a language (JSON: ids, counts, English validation messages): no language is
    chosen for it, and it has no Content-Language or Vary: Accept-Language."""


class CSPMiddleware(csp.CSPMiddleware):
    """django-csp's middleware for pages; an answer of the JSON API gets API_POLICY instead, a fixed text, so the
    pages' policy is not built twice (enforced and report-only) for every device's upload."""

    def __call__(self, request):
        if request.path_info.startswith(API_PREFIX):
            response = self.get_response(request)
            response.headers.setdefault(CSP_HEADER, API_POLICY)
            return response
        return super().__call__(request)
