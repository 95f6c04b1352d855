"""A request body larger than any form needs is refused before anything reads it.

Django keeps form fields to DATA_UPLOAD_MAX_MEMORY_SIZE but streams uploaded files of any size to temporary
files, and the CSRF check parses the body of every POST, even an anonymous one. So an oversized body is
answered here, from its Content-Length, before the CSRF middleware or a view touches it. The API has its own,
smaller limits (devices/api.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES and not request.path.startswith("/api/"):
            message = _("The file is larger than %(mb)s MB.") % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
            back = request.headers.get("Referer", "")
            if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
                messages.error(request, message)
                return redirect(back)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
