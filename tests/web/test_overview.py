"""The consultant overview: those who need attention first, with the figures each organisation's dashboard shows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tebiki.web.devices.models import Device
from tebiki.web.orgs.models import Membership, Role
from tebiki.web.people.models import Campaign, PersonalLink, Submission, Worker

from .conftest import make_org
from .test_incidents import make_incident


@pytest.fixture
def clients(cast):
    """Three client organisations of the consultant besides the cast's own, each needing attention differently."""
    orgs = {name: make_org(name) for name in ("あおば商店", "いろは工務店", "うみの会計")}
    for org in orgs.values():
        Membership.objects.create(user=cast.consultant, organisation=org, role=Role.CONSULTANT)
    return orgs


def rows(page: str) -> list[str]:
    body = page.split('id="overview"')[1].split("</tbody>")[0]
    return [part.split('"')[0] for part in body.split('<tr data-org="')[1:]]


def overview(cast, **params) -> str:
    r = cast.client(cast.consultant).get(reverse("overview"), params)
    assert r.status_code == 200
    return r.content.decode()


def device(org, n: int, verdict: str) -> Device:
    return Device.objects.create(organisation=org, key=f"k{org.id}-{n}", hostname=f"PC{n}", os="windows",
                                 latest={"disk_encryption": verdict, "firewall": "pass"})


def self_check(org, invited: int, submitted: int) -> Campaign:
    now = timezone.now()
    c = Campaign.objects.create(organisation=org, title="点検", deadline=timezone.localdate(), opened_at=now,
                                closes_at=now + timezone.timedelta(days=7))
    for i in range(invited):
        w = Worker.objects.create(organisation=org, name=f"w{i}", email=f"w{i}@{org.id}.example", department="d1")
        PersonalLink.objects.create(organisation=org, campaign=c, worker=w, token_hash=f"{org.id}-{i}")
        if i < submitted:
            Submission.objects.create(organisation=org, campaign=c, worker=w)
    return c


def test_new_incidents_come_first_then_failing_devices_then_low_response(cast, clients):
    make_incident(clients["うみの会計"])  # new
    make_incident(clients["あおば商店"], status="closed")  # handled: no attention needed
    device(clients["いろは工務店"], 1, "fail")
    device(clients["あおば商店"], 1, "pass")
    self_check(clients["あおば商店"], invited=4, submitted=1)
    self_check(cast.org, invited=4, submitted=4)
    order = rows(overview(cast))
    ids = {o.id: name for name, o in clients.items()} | {cast.org.id: cast.org.name}
    assert [ids[int(i)] for i in order][:3] == ["うみの会計", "いろは工務店", "あおば商店"]


def test_the_columns_show_the_counts_in_words_a_person_reads(cast, clients):
    make_incident(clients["うみの会計"])
    make_incident(clients["うみの会計"])
    device(clients["いろは工務店"], 1, "fail")
    device(clients["いろは工務店"], 2, "fail")
    device(clients["いろは工務店"], 3, "unknown")
    self_check(clients["あおば商店"], invited=4, submitted=1)
    page = overview(cast)
    row = {i: page.split(f'<tr data-org="{i}">')[1].split("</tr>")[0] for i in rows(page)}
    umino, iroha, aoba = (row[str(clients[n].id)] for n in ("うみの会計", "いろは工務店", "あおば商店"))
    assert '?status=new">2</a>' in umino
    assert f'/o/{clients["いろは工務店"].id}/devices/">2</a>' in iroha
    assert "25%" in aoba and "(1/4)" in aoba
    assert "実施中の自己点検なし" in umino
    for header in ("新しいインシデント", "不合格の端末", "期限超過", "自己点検の回答率", "対策が足りないトラブル事例"):
        assert header in page


def test_trouble_cases_agree_with_the_dashboard(cast, clients):
    org = clients["あおば商店"]
    summary = org.summary
    dashboard = cast.client(cast.consultant).get(reverse("dashboard", args=[org.id])).content.decode()
    listed = dashboard.count("case-exposed") + dashboard.count("case-partly")
    row = overview(cast).split(f'<tr data-org="{org.id}">')[1].split("</tr>")[0]
    assert listed == summary["exposed_cases"] + summary["partly_cases"] > 0
    assert f'<td class="num">{listed}' in row


def test_an_unknown_sort_falls_back_to_attention(cast, clients):
    make_incident(clients["うみの会計"])
    assert rows(overview(cast, sort="drop table"))[0] == str(clients["うみの会計"].id)
    by_name = rows(overview(cast, sort="name"))
    assert by_name[0] == str(clients["あおば商店"].id)


def test_another_organisations_figures_do_not_leak_in(cast, clients):
    make_incident(cast.other)
    device(cast.other, 1, "fail")
    page = overview(cast)
    assert cast.other.name not in page and str(cast.other.id) not in rows(page)


# ---------------------------------------------------------------- the profile, read by consultants


def test_a_consultant_reads_the_profile_that_decides_what_applies(cast):
    r = cast.client(cast.consultant).get(reverse("org_profile", args=[cast.org.id]))
    page = r.content.decode()
    assert r.status_code == 200
    for d in cast.org.get_profile().departments:
        assert d.name in page
    assert "従業員数" in page or "従業員" in page
    assert f'href="/o/{cast.org.id}/profile/"' in page  # in the navigation
    assert reverse("setup_profile", args=[cast.org.id]) not in page.split("</nav>")[1]  # no edit link for a reader


def test_the_profile_page_offers_managers_the_set_up(cast):
    page = cast.client(cast.admin).get(reverse("org_profile", args=[cast.org.id])).content.decode()
    assert reverse("setup_profile", args=[cast.org.id]) in page.split("</nav>")[1]


@pytest.mark.parametrize("who, status", [("worker", 403), ("viewer", 403), ("outsider", 404)])
def test_readers_without_edit_rights_and_outsiders_do_not_get_the_profile(cast, who, status):
    assert cast.client(getattr(cast, who)).get(reverse("org_profile", args=[cast.org.id])).status_code == status


def test_the_profile_page_is_read_only(cast):
    assert cast.client(cast.consultant).post(reverse("org_profile", args=[cast.org.id])).status_code == 405


# ---------------------------------------------------------------- invitations


def test_an_invitation_is_mailed_to_the_invited_address_with_its_link(cast):
    from django.core import mail

    r = cast.client(cast.admin).post(reverse("members", args=[cast.org.id]), {"email": "new@test.example",
                                                                              "role": "consultant"})
    page = r.content.decode()
    link = page.split('id="invite-link" readonly value="')[1].split('"')[0]
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["new@test.example"] and "テスト商事" in msg.subject
    assert link in msg.body and "コンサルタント" in msg.body
    assert "招待メールを送りました" in page


def test_a_mail_failure_keeps_the_invitation_and_says_to_send_the_link(cast, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    r = cast.client(cast.admin).post(reverse("members", args=[cast.org.id]), {"email": "new@test.example",
                                                                              "role": "worker"})
    page = r.content.decode()
    assert "招待メールを送れませんでした" in page and 'id="invite-link"' in page


def test_invitation_states_are_words(cast):
    from tebiki.web.orgs.models import Invitation

    open_inv, _ = Invitation.issue(cast.org, "a@test.example", "worker", cast.admin)
    gone, _ = Invitation.issue(cast.org, "b@test.example", "worker", cast.admin)
    gone.revoked_at = timezone.now()
    gone.save()
    page = cast.client(cast.admin).get(reverse("members", args=[cast.org.id])).content.decode()
    table = page.split("招待")[-1]
    assert "有効" in page and "取り消し済み" in page
    assert "<td>open</td>" not in table and "<td>revoked</td>" not in table


def test_the_profile_page_says_not_sure_where_the_set_up_left_it_open(cast):
    cast.org.profile = {**cast.org.profile, "servers": None}
    cast.org.save(update_fields=["profile"])
    page = cast.client(cast.admin).get(reverse("org_profile", args=[cast.org.id])).content.decode()
    facts = page.split('id="profile-facts"')[1].split("</dl>")[0]
    servers = re.search(r"<dt>社内のサーバや NAS</dt><dd>([^<]*)</dd>", facts).group(1)
    assert servers == "わからない（テレワーク方式から判断）"  # the set-up's own words for the empty answer
