"""「新しく始める」: a newcomer creates an account and an organisation without an invitation, where allowed."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from tebiki.web.accounts.models import User
from tebiki.web.audit.models import AuditEntry
from tebiki.web.orgs.models import Membership, Organisation

from .conftest import PASSWORD, make_user

STRONG = "tebiki newcomer passphrase 7"


def form(**over) -> dict:
    return {"email": "taro@kita.example", "name": "北町 太郎", "password1": STRONG, "password2": STRONG,
            "org-name": "北町製作所", **over}


@pytest.fixture(autouse=True)
def fresh_rate_limit(db):
    cache.clear()
    yield
    cache.clear()


def test_the_sign_in_page_offers_the_start_link(db, client):
    page = client.get(reverse("login")).content.decode()
    assert 'href="/start/"' in page and "新しく始める" in page


@override_settings(SIGNUP_OPEN=False)
def test_it_offers_nothing_and_answers_404_when_the_installation_does_not_allow_it(db, client):
    assert 'href="/start/"' not in client.get(reverse("login")).content.decode()
    assert client.get("/start/").status_code == 404
    assert client.post("/start/", form()).status_code == 404
    assert not User.objects.exists()


def test_it_creates_the_account_the_organisation_and_the_admin_membership(db, client):
    r = client.post("/start/", form())
    org = Organisation.objects.get(name="北町製作所")
    assert r.status_code == 302
    assert r["Location"] == f"/accounts/mfa/setup/?next=/o/{org.id}/setup/profile/"
    user = User.objects.get(email="taro@kita.example")
    assert user.name == "北町 太郎" and user.check_password(STRONG)
    assert Membership.objects.get(user=user).role == "admin"
    assert not org.is_ready


def test_two_step_enrolment_comes_before_anything_of_the_organisation(db, client):
    client.post("/start/", form())
    org = Organisation.objects.get()
    r = client.get(reverse("setup_profile", args=[org.id]))
    assert r.status_code == 302 and r["Location"].startswith("/accounts/mfa/setup/")


def test_it_is_audited_without_the_password(db, client):
    client.post("/start/", form())
    start, create = AuditEntry.objects.get(action="account.start"), AuditEntry.objects.get(action="org.create")
    org = Organisation.objects.get()
    assert (start.actor, start.target, start.organisation_id) == ("taro@kita.example", "taro@kita.example", org.id)
    assert (create.actor, create.target) == ("taro@kita.example", "北町製作所")
    assert STRONG not in str(start.data) + str(create.data)


@pytest.mark.parametrize("over, field", [
    ({"password1": "short", "password2": "short"}, "password1"),
    ({"password1": "123456789012345", "password2": "123456789012345"}, "password1"),
    ({"password2": "another passphrase 8"}, "password2"),
    ({"email": "not an email"}, "email"),
    ({"name": ""}, "name"),
    ({"org-name": ""}, "name"),
])
def test_bad_input_is_refused_and_creates_nothing(db, client, over, field):
    r = client.post("/start/", form(**over))
    assert r.status_code == 422
    errors = {**r.context["form"].errors, **r.context["org_form"].errors}
    assert field in errors
    assert not User.objects.exists() and not Organisation.objects.exists()


def test_an_existing_email_is_sent_to_sign_in_and_nothing_changes(db, client):
    user = make_user("taro@kita.example")
    r = client.post("/start/", form(email="Taro@Kita.example"))
    assert r.status_code == 422 and "ログインしてください" in r.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD) and not Organisation.objects.exists()


def test_it_needs_the_csrf_token(db):
    c = Client(enforce_csrf_checks=True)
    assert c.post("/start/", form()).status_code == 403
    assert not User.objects.exists()


@override_settings(SIGNUP_PER_HOUR=3)
def test_one_address_is_limited_per_hour(db, client):
    for n in range(3):
        assert client.post("/start/", form(email=f"x{n}@kita.example", password2="differs 123456")).status_code == 422
    r = client.post("/start/", form())
    assert r.status_code == 429 and "1 時間後" in r.content.decode()
    assert not User.objects.exists()


def test_a_signed_in_user_is_sent_to_create_an_organisation(cast):
    r = cast.client(cast.admin).get("/start/")
    assert r.status_code == 302 and r["Location"] == reverse("org_new")


def test_it_rejects_other_methods(db, client):
    assert client.put("/start/").status_code == 405


def test_the_favicon_address_leads_to_the_icon(db, client):
    r = client.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("/tebiki/favicon.svg")
    assert client.get(r["Location"]).status_code == 200


@pytest.mark.parametrize("addr, url", [("127.0.0.1:8000", "http://127.0.0.1:8000/"), ("0.0.0.0:8123", "http://127.0.0.1:8123/"),
                                       ("8001", "http://127.0.0.1:8001/"), ("tebiki.local:80", "http://tebiki.local:80/")])
def test_make_run_prints_the_address_it_serves_the_demo_sign_in_and_the_start_link(db, addr, url):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("demo", "--addr", addr, stdout=out)
    text = out.getvalue()
    assert f"tebiki demo: {url}\n" in text and "demo@tebiki.example" in text
    assert text.rstrip().splitlines()[-1].endswith(f"{url}start/")
