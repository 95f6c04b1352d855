from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tebiki.web.assessments.models import Evidence

ITEM = "mic-v5:admin:A-1"


def upload(client, org, name, content, ctype="application/octet-stream"):
    return client.post(reverse("evidence_upload", args=[org.id, ITEM, "organisation"]),
                       {"file": SimpleUploadedFile(name, content, content_type=ctype)}, follow=True)


def test_it_stores_an_allowed_file_under_a_random_name(cast):
    r = upload(cast.client(cast.admin), cast.org, "../../etc/規程.pdf", b"%PDF-1.7 test")
    assert r.status_code == 200
    ev = Evidence.objects.get()
    assert ev.original_name.endswith("規程.pdf") and ev.key in ev.file.name and ".." not in ev.file.name
    d = cast.client(cast.viewer).get(reverse("evidence_download", args=[cast.org.id, ev.key]))
    assert b"".join(d.streaming_content) == b"%PDF-1.7 test"
    assert d["Content-Disposition"].startswith("attachment;")


def test_it_refuses_types_that_are_not_allowed(cast):
    r = upload(cast.client(cast.admin), cast.org, "run.exe", b"MZ\x90\x00")
    assert not Evidence.objects.exists()
    assert "field-error" in r.content.decode() or "msg-error" in r.content.decode()


def test_it_refuses_content_that_does_not_match_the_extension(cast):
    upload(cast.client(cast.admin), cast.org, "fake.pdf", b"<html>not a pdf</html>")
    upload(cast.client(cast.admin), cast.org, "fake.txt", b"\x00\x01binary")
    assert not Evidence.objects.exists()


@override_settings(EVIDENCE_MAX_BYTES=10)
def test_it_refuses_files_over_the_size_limit(cast):
    upload(cast.client(cast.admin), cast.org, "big.txt", b"x" * 11)
    assert not Evidence.objects.exists()


def test_readers_cannot_upload(cast):
    r = cast.client(cast.viewer).post(reverse("evidence_upload", args=[cast.org.id, ITEM, "organisation"]),
                                      {"file": SimpleUploadedFile("a.txt", b"hello")})
    assert r.status_code == 403
    assert not Evidence.objects.exists()


def test_an_outsider_cannot_download_by_key(cast):
    upload(cast.client(cast.admin), cast.org, "a.txt", b"secret")
    ev = Evidence.objects.get()
    c = cast.client(cast.outsider)
    assert c.get(reverse("evidence_download", args=[cast.org.id, ev.key])).status_code == 404
    assert c.get(reverse("evidence_download", args=[cast.other.id, ev.key])).status_code == 404
