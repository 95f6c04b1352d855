"""The bearer-token check of both JSON APIs (a device's enrolment token, an organisation's API token)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer


class Bearer(HttpBearer):
    """ninja's HttpBearer, reading "Authorization: Bearer <token>" the same way (the scheme in any case, the token
    after the first space), except that any other value is refused without being logged: HttpBearer logs it when
    DEBUG is on, and a secret never goes to a log. The header is read from request.META (request.headers would copy
    every header of the request for this one). Subclasses define authenticate(request, token)."""

    def __call__(self, request: HttpRequest):
        scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)
