"""The device register is paged (100 devices a page); its stale count and fleet summary still cover every device."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tebiki.web.devices.models import Device
from tebiki.web.devices.views import PAGE_SIZE


def test_the_register_pages_its_devices_and_counts_every_stale_one(cast):
    old = timezone.now() - dt.timedelta(days=40)
    Device.objects.bulk_create(
        Device(organisation=cast.org, key=f"k-{i:03d}", hostname=f"PC-{i:03d}", os="windows",
               last_seen=old if i % 2 else timezone.now(), latest={"firewall": "fail" if i < 3 else "pass"})
        for i in range(PAGE_SIZE + 5))
    c = cast.client(cast.viewer)
    url = reverse("devices", args=[cast.org.id])
    first = c.get(url).content.decode()
    assert "PC-099" in first and "PC-100" not in first
    assert 'aria-label="ページ"' in first and 'rel="next"' in first
    assert f"{(PAGE_SIZE + 5) // 2} 台" in first.split('id="stale-note">')[1]  # every stale device, not this page's
    second = c.get(url, {"page": 2}).content.decode()
    assert "PC-100" in second and "PC-104" in second and "PC-099" not in second
    assert c.get(url, {"page": "nonsense"}).status_code == 200
