"""Smoke test of a running tebiki over HTTPS, with the standard library only (no tebiki import, no checkout needed).

Signs in, opens the main pages of the first organisation, downloads the reports and files an incident report.

Usage: python tools/smoke.py BASE_URL EMAIL PASSWORD [--cafile CERT]
Exit status 0 when every step passed; the first failure is printed and exits 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import re
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request


class Smoke:
    def __init__(self, base: str, cafile: str | None):
        self.base = base.rstrip("/")
        context = ssl.create_default_context(cafile=cafile)
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  urllib.request.HTTPSHandler(context=context))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, bytes, dict]:
        url = path if path.startswith("http") else self.base + path
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers={"Referer": self.base + "/"})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.geturl(), r.read(), dict(r.headers)
        except urllib.error.HTTPError as err:
            return err.code, url, err.read(), dict(err.headers)

    def page(self, path: str, expect: str | None = None) -> str:
        status, _, body, _ = self.request(path)
        text = body.decode("utf-8", "replace")
        check(status == 200, f"GET {path}: {status}")
        if expect:
            check(expect in text, f"GET {path}: {expect!r} not on the page")
        print(f"ok  GET {path}")
        return text

    def csrf(self, html: str) -> str:
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        check(m is not None, "no CSRF token in the form")
        return m.group(1)


def check(ok: bool, what: str) -> None:
    if not ok:
        print(f"FAIL {what}", file=sys.stderr)
        sys.exit(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("email")
    ap.add_argument("password")
    ap.add_argument("--cafile")
    args = ap.parse_args()
    s = Smoke(args.base, args.cafile)

    login = s.page("/accounts/login/", "ログイン")
    status, url, _, _ = s.request("/accounts/login/", {"csrfmiddlewaretoken": s.csrf(login), "username": args.email,
                                                        "password": args.password, "next": ""})
    check(status == 200 and "/accounts/login/" not in url, f"sign-in: {status} at {url}")
    print(f"ok  signed in as {args.email}")
    check(any(c.secure for c in s.jar if c.name == "sessionid"), "the session cookie is not marked Secure")

    home = s.page("/")
    m = re.search(r'href="/o/(\d+)/', home)
    check(m is not None, "no organisation linked from the home page")
    org = f"/o/{m.group(1)}"
    for path in ("/", "/checklist/", "/methods/", "/devices/", "/contacts/", "/reports/", "/policy/"):
        s.page(org + path)

    # The items CSV is for people: a BOM for Excel, then its header in the session's language.
    csv_start = tuple(f"\ufeff{h},".encode() for h in ("項目", "Item"))
    for path, magic in (("/reports/report.xlsx", b"PK"), ("/reports/items.csv", csv_start),
                        ("/reports/report.pdf", b"%PDF")):
        status, _, body, headers = s.request(org + path)
        check(status == 200 and body.startswith(magic), f"GET {org + path}: {status}, {body[:8]!r}")
        check("attachment" in headers.get("Content-Disposition", ""), f"{path}: not an attachment")
        print(f"ok  GET {org + path} ({len(body)} bytes)")

    form = s.page(org + "/incidents/report/")
    occurred = (dt.datetime.now() - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    status, url, _, _ = s.request(org + "/incidents/report/", {
        "csrfmiddlewaretoken": s.csrf(form), "situation": "phishing", "occurred_at": occurred,
        "device": "smoke test laptop", "description": "smoke test: a suspicious link was opened",
        "reporter_name": "smoke", "reporter_contact": args.email})
    check(status == 200 and "/incidents/sent/" in url, f"incident report: {status} at {url}")
    print("ok  filed an incident report")

    status, _, body, _ = s.request("/no-such-page/")
    check(status == 404 and "ページが見つかりません" in body.decode(), f"404 page: {status}")
    print("ok  the 404 page is tebiki's, in Japanese")


if __name__ == "__main__":
    main()
