"""At most one Chromium at a time per process: concurrent PDF requests wait their turn, and one that waits too long
gets a polite 503 with Retry-After instead of a fourth browser."""

from __future__ import annotations

import threading
from pathlib import Path

from django.test import override_settings
from django.urls import reverse

from tebiki.web.reports import views

HTML = "<!doctype html><meta charset=utf-8><p>テスト</p>"


def recording_chromium(tmp_path: Path) -> Path:
    """A wrapper around Debian's chromium that writes when each run starts and ends."""
    log = tmp_path / "runs.log"
    script = tmp_path / "chromium"
    script.write_text(f'#!/bin/sh\necho "start $$" >> {log}\n/usr/bin/chromium "$@"\nrc=$?\necho "end $$" >> {log}\nexit $rc\n')
    script.chmod(0o755)
    return script


def test_three_concurrent_pdfs_run_one_chromium_after_another(tmp_path):
    chromium = recording_chromium(tmp_path)
    results: list[bytes] = []
    with override_settings(CHROMIUM=str(chromium)):
        threads = [threading.Thread(target=lambda: results.append(views.html_to_pdf(HTML))) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(results) == 3 and all(r.startswith(b"%PDF") for r in results)
    events = [line.split()[0] for line in (tmp_path / "runs.log").read_text().splitlines()]
    assert events == ["start", "end"] * 3  # never two starts in a row: no overlap


@override_settings(PDF_WAIT_SECONDS=0.05)
def test_a_pdf_request_that_cannot_get_chromium_in_time_answers_503_with_retry_after(cast):
    assert views._CHROMIUM_SLOT.acquire(timeout=5)  # another request is printing
    try:
        r = cast.client(cast.admin).get(reverse("report_pdf", args=[cast.org.id]))
    finally:
        views._CHROMIUM_SLOT.release()
    assert r.status_code == 503 and r["Retry-After"] == "30"
    assert cast.client(cast.admin).get(reverse("report_pdf", args=[cast.org.id])).content.startswith(b"%PDF")


def test_a_chromium_that_makes_no_pdf_is_a_503_and_the_log_says_why(cast, tmp_path, caplog):
    broken = tmp_path / "chromium"
    broken.write_text('#!/bin/sh\necho "first line" >&2\necho "cannot open display" >&2\nexit 3\n')
    broken.chmod(0o755)
    with override_settings(CHROMIUM=str(broken)), caplog.at_level("WARNING", logger="tebiki.web.reports.views"):
        r = cast.client(cast.admin).get(reverse("report_pdf", args=[cast.org.id]))
    assert r.status_code == 503 and "Retry-After" not in r  # not busy: retrying soon would not help
    assert b"printable HTML" in r.content
    said = [rec.getMessage() for rec in caplog.records if rec.name == "tebiki.web.reports.views"]
    assert said == ["no PDF: Chromium exited with 3 and produced no PDF: first line | cannot open display"]
