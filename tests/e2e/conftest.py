"""Browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

Screenshots go to artifacts/screenshots/ (kept by CI as artifacts, ignored by git).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("TEBIKI_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


class OneRequestAtATime(WSGIServer):
    """The live server without a thread per request. On SQLite the test database is in memory and Django hands the
    test's own connection to the server, so two requests of one page served at once (a save and the next page's
    load) would share one connection, which Django's documentation warns fails at random: once seen as an atomic
    block closed twice, after which every later test found the database locked. One at a time they cannot collide;
    Django's server closes each connection after its answer when it is not threaded, so the browser waits, not hangs."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)  # LiveServerThread.run puts the overrides in place in its own thread


LiveServerThread.server_class = OneRequestAtATime


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def browser(monkeypatch):
    """Chromium for one test. Playwright's sync API runs an event loop in the test's thread while it lives, so
    Django's async guard is relaxed for exactly that time: the ORM calls a test makes between page actions are
    ordinary synchronous calls (the database is set up before and flushed after the browser)."""
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ja-JP", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def shot(page):
    """shot("name") saves a full-page screenshot of the current page as artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, target=None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        (target or page).screenshot(path=str(path), full_page=True)
        return path
    return take
