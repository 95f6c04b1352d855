"""The worker's own devices, without an account: which checks failed, what to do on their OS, how to check again.

Two ways in, both secret links (hashed, masked in logs): the link in the answer to an upload (/d/<token>/, one
device, 30 days, revocable on the device page) and the worker's self-check link (/w/<token>/devices/, the devices
a manager assigned to that worker, while that link is valid: not revoked and before its campaign's closing time,
also when no campaign is open any more because it was closed early). Anything else, a revoked or expired link
included, answers 404 and says nothing of what exists.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tebiki.web.people.models import PersonalLink

from .models import Device, DeviceLink
from .pages import device_block


def _page(request: HttpRequest, org_name: str, devices, worker_name: str = "") -> HttpResponse:
    resp = render(request, "devices/mine.html", {
        "org_name": org_name, "worker_name": worker_name, "blocks": [device_block(request, d) for d in devices]})
    resp["X-Robots-Tag"] = "noindex"
    return resp


@never_cache
@require_GET
def device_link(request: HttpRequest, token: str) -> HttpResponse:
    """The device an upload's answer linked to."""
    link = DeviceLink.find(token)
    if link is None:
        raise Http404
    DeviceLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    dev = link.device
    return _page(request, dev.organisation.name, [dev])


@never_cache
@require_GET
def worker_devices(request: HttpRequest, token: str) -> HttpResponse:
    """The devices assigned to the worker whose self-check link this is."""
    link = PersonalLink.find(token)
    if link is None or not link.valid:
        raise Http404
    devices = Device.objects.filter(organisation=link.organisation, worker=link.worker).order_by("hostname", "id")
    return _page(request, link.organisation.name, devices, link.worker.name)
