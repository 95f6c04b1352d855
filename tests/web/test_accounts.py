from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse
from django.utils import timezone

from tebiki.web.accounts.models import User
from tebiki.web.orgs.models import Invitation, Membership, Role

from .conftest import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, email, password):
    return client.post(LOGIN, {"username": email, "password": password})


def test_it_signs_in_by_email(cast, client):
    r = sign_in(client, "ADMIN@test.example".lower(), PASSWORD)
    assert r.status_code == 302


def test_passwords_are_hashed_with_argon2(db):
    user = User.objects.create_user("new@test.example", "a long passphrase 42")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_ten_failures_lock_the_account_for_thirty_minutes(cast, client):
    for i in range(9):  # changing the case of the email does not start a new count
        email = "ADMIN@test.example" if i % 2 else "admin@test.example"
        assert sign_in(client, email, "wrong password!!").status_code == 200
    r = sign_in(client, "Admin@Test.example", "wrong password!!")
    assert r.status_code == 429
    assert sign_in(client, "admin@test.example", PASSWORD).status_code == 429  # even the right password
    assert AccessAttempt.objects.filter(username="admin@test.example").exists()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert sign_in(client, "admin@test.example", PASSWORD).status_code == 302


def test_nine_failures_do_not_lock(cast, client):
    for _ in range(9):
        sign_in(client, "admin@test.example", "wrong password!!")
    assert sign_in(client, "admin@test.example", PASSWORD).status_code == 302


def invite(cast, email="new@test.example", role=Role.WORKER):
    return Invitation.issue(cast.org, email, role, cast.admin)


def test_an_admin_creates_an_invitation_link_shown_once(cast):
    c = cast.client(cast.admin)
    r = c.post(reverse("members", args=[cast.org.id]), {"email": "new@test.example", "role": "worker"})
    page = r.content.decode()
    inv = Invitation.objects.get(email="new@test.example")
    token = page.split("/invite/")[1].split("/")[0]
    assert Invitation.objects.by_token(token) == inv
    assert token not in inv.token_hash  # only the hash is stored
    assert token not in c.get(reverse("members", args=[cast.org.id])).content.decode()


@pytest.mark.parametrize("password,ok", [("short pass", False), ("123456789012345", False), ("password1234", False),
                                         ("qwertyuiopas", False), ("iloveyou1234", False),
                                         ("tsukimi dango 2026", True)])
def test_a_newcomer_accepts_with_a_strong_enough_password(cast, client, password, ok):
    _, token = invite(cast)
    r = client.post(reverse("accept_invitation", args=[token]), {"name": "新人", "password1": password,
                                                                  "password2": password})
    assert (r.status_code == 302) is ok
    assert Membership.objects.filter(user__email="new@test.example", role=Role.WORKER).exists() is ok
    assert (Invitation.objects.by_token(token) is None) is ok


def test_revoked_and_expired_invitations_are_refused(cast, client):
    inv, token = invite(cast)
    inv.revoked_at = timezone.now()
    inv.save()
    assert client.get(reverse("accept_invitation", args=[token])).status_code == 404
    inv2, token2 = invite(cast, "other@test.example")
    with time_machine.travel(timezone.now() + Invitation.VALID_FOR + dt.timedelta(minutes=1)):
        assert client.get(reverse("accept_invitation", args=[token2])).status_code == 404
    assert client.get(reverse("accept_invitation", args=["made-up-token"])).status_code == 404


def test_an_existing_user_joins_after_signing_in(cast):
    _, token = invite(cast, "outsider@other.example", Role.CONSULTANT)
    c = cast.client(cast.outsider)
    assert c.post(reverse("accept_invitation", args=[token])).status_code == 302
    assert Membership.objects.get(user=cast.outsider, organisation=cast.org).role == Role.CONSULTANT


def test_an_invitation_for_someone_else_is_refused(cast):
    _, token = invite(cast, "someone@else.example")
    r = cast.client(cast.outsider).post(reverse("accept_invitation", args=[token]))
    assert r.status_code == 403
    assert not Membership.objects.filter(user=cast.outsider, organisation=cast.org).exists()


def test_an_admin_revokes_an_invitation(cast):
    inv, token = invite(cast)
    cast.client(cast.admin).post(reverse("revoke_invitation", args=[cast.org.id, inv.id]))
    assert Invitation.objects.by_token(token) is None


@pytest.mark.parametrize("weak", ["qwertyuiopas", "iloveyou1234"])
def test_a_guessable_password_is_refused_at_sign_up_with_a_japanese_reason(cast, client, weak):
    _, token = invite(cast)
    r = client.post(reverse("accept_invitation", args=[token]), {"name": "新人", "password1": weak, "password2": weak})
    page = r.content.decode()
    assert r.status_code == 422 and "パスワードが推測しやすすぎます" in page
    assert not User.objects.filter(email="new@test.example").exists()


@pytest.mark.parametrize("weak", ["qwertyuiopas", "iloveyou1234"])
def test_a_guessable_password_is_refused_at_password_change(cast, weak):
    c = cast.client(cast.worker)
    r = c.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert r.status_code == 200 and "推測しやすすぎます" in r.content.decode()
    cast.worker.refresh_from_db()
    assert cast.worker.check_password(PASSWORD)


def test_a_password_like_the_users_own_email_is_refused(cast):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError):
        validate_password("worker@test.example!", cast.worker)
    validate_password("tsukimi dango 2026", cast.worker)  # a strong one passes every validator
