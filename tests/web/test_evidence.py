from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
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


def office_zip(path: Path, parts: dict[str, bytes | int]) -> bytes:
    """A real zip container on disk; an int part is that many zero bytes, written in chunks (a bomb's payload)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, content in {"[Content_Types].xml": b"<Types/>", **parts}.items():
            with zf.open(name, "w", force_zip64=True) as out:
                if isinstance(content, int):
                    for _ in range(content // (1024 * 1024)):
                        out.write(bytes(1024 * 1024))
                else:
                    out.write(content)
    return path.read_bytes()


def refusal(response) -> str:
    assert not Evidence.objects.exists()
    return "".join(str(m) for m in response.context["messages"])


def test_a_small_xlsx_that_unpacks_to_200_mb_is_refused_as_a_zip_bomb(cast, tmp_path):
    bomb = office_zip(tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": 200 * 1024 * 1024})
    assert len(bomb) < 250 * 1024
    r = upload(cast.client(cast.admin), cast.org, "集計.xlsx", bomb)
    assert "zip 爆弾" in refusal(r)


def test_a_docx_of_many_parts_is_refused_as_a_zip_bomb(cast, tmp_path, settings):
    settings.EVIDENCE_ZIP_MAX_PARTS = 50
    doc = office_zip(tmp_path / "many.docx", {f"word/p{i}.xml": b"<p/>" for i in range(60)})
    assert "zip 爆弾" in refusal(upload(cast.client(cast.admin), cast.org, "many.docx", doc))


def test_a_zip_that_declares_less_than_it_holds_is_refused(cast, tmp_path):
    data = bytearray(office_zip(tmp_path / "liar.xlsx", {"xl/workbook.xml": b"<workbook>" + b"x" * 5000 + b"</workbook>"}))
    central = data.rindex(b"PK\x01\x02")  # the last part's central-directory entry; its size field is at +24
    data[central + 24:central + 28] = (10).to_bytes(4, "little")
    r = upload(cast.client(cast.admin), cast.org, "liar.xlsx", bytes(data))
    assert "壊れて" in refusal(r)


@pytest.mark.parametrize("name,content,expected", [
    ("cut.xlsx", "truncated", "壊れて"),
    ("garbage.docx", b"PK\x03\x04" + bytes(range(256)) * 4, "壊れて"),
    ("plain.xlsx", "no content types", "Office の文書ではありません"),
])
def test_damaged_or_foreign_zips_are_refused(cast, tmp_path, name, content, expected):
    whole = office_zip(tmp_path / "whole.xlsx", {"xl/workbook.xml": b"<workbook/>" * 100})
    if content == "truncated":
        content = whole[: len(whole) // 2]
    elif content == "no content types":
        with zipfile.ZipFile(buf := io.BytesIO(), "w") as zf:
            zf.writestr("readme.txt", "just a zip")
        content = buf.getvalue()
    assert expected in refusal(upload(cast.client(cast.admin), cast.org, name, content))


def test_a_real_workbook_is_accepted(cast, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["対策", "状況"])
    book.save(tmp_path / "ok.xlsx")
    upload(cast.client(cast.admin), cast.org, "点検.xlsx", (tmp_path / "ok.xlsx").read_bytes())
    assert Evidence.objects.get().original_name == "点検.xlsx"
