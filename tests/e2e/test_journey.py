"""The first-time journey in a real browser: sign in → onboarding → three items → dashboard → xlsx and PDF.

Every main page is saved as a screenshot in artifacts/screenshots/.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import unicodedata

import openpyxl
import pytest
import yaml
from django_otp.oath import totp
from pypdf import PdfReader

from tebiki.core.vocabulary import AUDIT_ACTION
from tebiki.web.accounts.models import User
from tebiki.web.assessments.models import ItemRecord
from tebiki.web.orgs.models import Organisation
from tests.e2e.conftest import SCREENSHOTS
from tests.web.conftest import PASSWORD, password_hash

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret_text: str) -> str:
    """The current TOTP code for the key the enrolment page shows (base32 in groups of four)."""
    b32 = secret_text.replace(" ", "")
    key = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    return f"{totp(key):06d}"


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button.primary")


def at(page, path: str, query: bool = False) -> None:
    """Wait until the page shows *path* (a redirect keeps the previous fragment, so it is allowed)."""
    tail = r"(\?.*)?" if query else ""
    page.wait_for_url(re.compile(re.escape(path) + tail + r"(#.*)?$"))


def done_count(page) -> int:
    """The 'done' number of the dashboard's overall progress, as the Japanese page words it."""
    found = re.search(r"(\d+)\s*件が対応済み", page.inner_text("#overall-count"))
    assert found, page.inner_text("#overall-count")
    return int(found.group(1))


def test_a_newcomer_goes_from_sign_in_to_reports(page, shot, tmp_path):
    User.objects.create(email="hanako@example.jp", name="山田 花子", password=password_hash())

    # Sign in with a wrong password first: the form says so and nothing opens.
    page.goto("/accounts/login/")
    shot("01-login")
    page.fill("input[name=username]", "hanako@example.jp")
    page.fill("input[name=password]", "wrong password 123")
    page.click("main form button.primary")
    assert page.url.endswith("/accounts/login/")
    assert page.locator(".errorlist, .field-error, [role=alert]").count() > 0

    sign_in(page, "hanako@example.jp")
    at(page, "/orgs/")
    shot("02-overview-empty")

    # A new organisation; its creator is its administrator, so two-step sign-in is set up first.
    page.click("a[href='/orgs/new/']")
    page.fill("input[name=name]", "手引き工業株式会社")
    page.click("main form button")
    at(page, "/accounts/mfa/setup/", query=True)
    assert page.eval_on_selector("p.qr img", "img => img.complete && img.naturalWidth") > 0  # the QR code displays
    shot("03-mfa-setup")
    page.fill("input[name=code]", code_for(page.inner_text("#mfa-secret")))
    page.click("main form button")
    assert page.locator("code, li").filter(has_text=re.compile(r"\w{8}")).count() >= 10  # recovery codes, once
    shot("04-mfa-recovery-codes")
    page.click("a.button.primary")

    # Step 1: profile.
    at(page, "/setup/profile/")
    page.fill("input[name=size]", "35")
    page.check("input[name=cloud][value=mail]")
    page.check("input[name=cloud][value=file_sharing]")
    page.check("input[name=wifi][value=home]")
    page.click("label[for=id_local_breakout] + details.explain summary")
    assert page.locator("label[for=id_local_breakout] + details.explain p").is_visible()  # jargon explained on tap
    shot("05-setup-profile")
    page.click("main form button.primary")

    # Step 2: departments, each with its methods; a suggestion from the questions ticks the methods.
    at(page, "/setup/departments/")
    assert page.input_value("input[name='dept-0-people']") == "35"  # everyone, as typed in step 1
    page.fill("input[name='dept-0-name']", "営業部")
    page.fill("input[name='dept-0-people']", "12")
    page.click("#dept-0 details.diagnose summary")
    answers = {"office_systems": "yes", "full_desktop": "yes", "data_on_terminal": "yes"}
    for question, answer in answers.items():
        page.check(f"input[name=dept-0-q_{question}][value={answer}]")
    with page.expect_navigation():
        page.click("button[name=suggest][value='0']")
    assert page.locator("#dept-0 .suggestion li").count() >= 1
    assert page.locator("input[name=dept-0-methods][value=vpn]").is_checked()
    assert page.input_value("input[name='dept-0-name']") == "営業部"  # what was typed stays
    page.check("input[name=dept-0-equipment][value='mobile:private']")
    shot("07-setup-departments")
    page.click("main form button.primary")
    at(page, "/setup/ready/")
    shot("08-setup-ready")

    org = Organisation.objects.get(name="手引き工業株式会社")
    applicable = org.summary["applicable"]
    assert applicable > 20
    assert str(applicable) in page.inner_text("main")
    ready_top = page.locator("ol.action-list li a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert len(ready_top) == 10 and page.locator("ol.action-list .why").first.inner_text()

    page.goto(f"/o/{org.id}/")
    shot("09-dashboard-before")
    before = done_count(page)
    assert before == org.summary["done"] == 0
    assert page.locator("ol.action-list li a").evaluate_all("els => els.map(e => e.getAttribute('href'))") == ready_top

    # The checklist: three measures set inline (htmx) with their save button; the button keeps the focus.
    page.goto(f"/o/{org.id}/checklist/")
    forms = page.locator("table.checklist form.status-form")
    assert forms.count() > 3
    for i in range(3):
        form = forms.nth(i)
        row_id = form.locator("xpath=ancestor::tr").get_attribute("id")
        form.locator("select[name=status]").select_option("done")
        button_id = form.locator("button.save").get_attribute("id")
        with page.expect_response(lambda r: "/status/" in r.url and r.request.method == "POST") as resp:
            form.locator("button.save").click()
        assert resp.value.status == 200
        page.wait_for_selector(f"#{row_id} .saved")
        assert page.locator(f"#{row_id} select[name=status]").first.input_value() == "done"
        assert page.evaluate("document.activeElement.id") == button_id
    shot("10-checklist")
    assert ItemRecord.objects.filter(organisation=org, status="done").count() >= 3

    # A refused save (an answer the server does not accept) shows its message in the row instead of vanishing.
    form = forms.nth(3)
    row_id = form.locator("xpath=ancestor::tr").get_attribute("id")
    page.evaluate("id => document.querySelector('#' + id + ' select[name=status] option').value = 'maybe'", row_id)
    with page.expect_response(lambda r: "/status/" in r.url) as resp:
        form.locator("button.save").click()
    assert resp.value.status == 422
    page.wait_for_selector(f"#{row_id} .row-error:not(:empty)")
    assert page.locator(f"#{row_id} .row-error").inner_text()

    page.goto(f"/o/{org.id}/")
    assert done_count(page) == ItemRecord.objects.filter(organisation=org, status="done").count()
    shot("11-dashboard-after")

    # Reports: the workbook and the PDF download and open, with the organisation's Japanese name inside.
    page.goto(f"/o/{org.id}/audit/")
    assert AUDIT_ACTION.label("item.change", "ja") in page.inner_text("main")  # the inline saves, in words
    shot("13-audit")

    page.goto(f"/o/{org.id}/reports/")
    shot("12-reports")
    with page.expect_download() as dl:
        page.click(f"a[href='/o/{org.id}/reports/report.xlsx']")
    assert dl.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / dl.value.suggested_filename
    dl.value.save_as(saved)
    wb = openpyxl.load_workbook(saved)
    assert len(wb.sheetnames) >= 4
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any("手引き工業株式会社" in c for c in cells)

    response = page.request.get(f"/o/{org.id}/reports/report.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    assert len(pdf.pages) >= 1
    # Noto CJK maps some ideographs to Kangxi radicals in the PDF's text layer; NFKC folds them back.
    text = unicodedata.normalize("NFKC", "".join(p.extract_text() for p in pdf.pages))
    assert "手引き工業株式会社" in text


def test_the_other_main_pages_render_in_japanese_and_english(page, shot):
    """Item page, method comparison, devices, members, audit log and the consultant overview, screenshotted."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tebiki.web.orgs.management.commands.demo import DEMO, add_devices
    from tests.web.conftest import make_org, make_user

    orgs = [make_org(name) for name in ("サンプル商事", "北町製作所", "南町会計事務所")]
    consultant = make_user("consultant@example.jp", orgs[0], "consultant")
    for org in orgs[1:]:
        org.memberships.create(user=consultant, role="consultant")
    device = TOTPDevice.objects.create(user=consultant, name="phone", confirmed=True)
    spec = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    add_devices(orgs[0], consultant, spec["devices"], dt.date(2026, 12, 1))

    sign_in(page, "consultant@example.jp")
    at(page, "/accounts/mfa/verify/", query=True)
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.click("main form button.primary")
    at(page, "/orgs/")
    names = page.locator("table tbody tr td:first-child a").all_inner_texts()
    assert sorted(names) == names and set(names) == {o.name for o in orgs}
    shot("20-consultant-overview")

    org = orgs[0]
    for name, path, expect in [
        ("22-methods", "methods/", "VPN"),
        ("23-devices", "devices/", "SOUMU-PC01"),
        ("24-members", "members/", "consultant@example.jp"),
        ("26-security-action", "reports/security-action/", "パスワードを強化しよう"),
    ]:
        response = page.goto(f"/o/{org.id}/{path}")
        assert response.status == 200, path
        if expect:
            assert expect in page.inner_text("main")
        shot(name)
    assert page.locator("html").get_attribute("lang") == "ja"

    page.goto(f"/o/{org.id}/devices/")
    page.click("text=SOUMU-PC02")
    assert "最新の点検" in page.inner_text("main h2")
    assert page.locator("table.checks-detail td.verdict-fail").count() >= 1
    shot("25-device")

    page.goto(f"/o/{org.id}/checklist/?role=admin")
    link = page.locator("table.checklist tbody tr a").first
    item_id = link.locator("strong").inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/items/[^/]+/[^/]+/(#.*)?$"))  # the first action, in its scope
    assert item_id in page.inner_text("main h1")
    shot("21-item")

    page.click("form.lang button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"/o/{org.id}/")
    assert "Dashboard" in page.inner_text("main")
    shot("26-dashboard-en")


SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("size", list(SIZES))
def test_the_action_pages_fit_the_screen(page, shot, size):
    """Set-up result, dashboard and checklist at desktop and phone size: no sideways scrolling, the status
    control inside the screen and usable with a thumb, the same first actions on the result and the dashboard."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.web.conftest import make_org, make_user

    org = make_org("サンプル商事")
    user = make_user("admin@example.jp", org, "admin")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.set_viewport_size(SIZES[size])
    sign_in(page, "admin@example.jp")
    at(page, "/accounts/mfa/verify/", query=True)
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.click("main form button.primary")
    at(page, f"/o/{org.id}/")

    def fits() -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"], f"{page.url} is {width}px wide"

    tops = []
    for n, (name, path) in enumerate([("ready", "setup/ready/"), ("dashboard", ""), ("departments", "setup/departments/"),
                                      ("checklist", "checklist/")]):
        page.goto(f"/o/{org.id}/{path}")
        fits()
        shot(f"3{n}-{name}-{size}")
        page.screenshot(path=str(SCREENSHOTS / f"3{n}-{name}-{size}-first-screen.png"))  # what one sees first
        if name in ("ready", "dashboard"):
            tops.append(page.locator("ol.action-list li > a").evaluate_all(
                "els => els.map(e => e.getAttribute('href'))"))
    assert tops[0] == tops[1] and len(tops[0]) == 10

    select = page.locator("table.checklist select[name=status]").first
    button = page.locator("table.checklist button.save").first
    for control in (select, button):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= SIZES[size]["width"]
        if size == "phone":
            assert box["height"] >= 40  # big enough for a thumb
    select.select_option("partly")
    with page.expect_response(lambda r: "/status/" in r.url) as resp:
        button.click()
    assert resp.value.status == 200
    page.wait_for_selector("table.checklist .saved")
    fits()
