"""With DEBUG off (as in production and in the test run), 403, 404 and 500 answer with tebiki's own pages, in
Japanese by default and in English when the visitor chose it."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse


def boom(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom)]


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_an_unknown_address_answers_a_japanese_404_page():
    r = Client().get("/no-such-page/")
    assert r.status_code == 404
    text = r.content.decode()
    assert "ページが見つかりません" in text and 'lang="ja"' in text and "tebiki" in text


@pytest.mark.django_db
def test_the_404_page_is_english_for_a_visitor_who_chose_english():
    r = english(Client()).get("/no-such-page/")
    assert r.status_code == 404 and "Page not found" in r.content.decode()


def test_a_role_that_may_not_edit_gets_a_japanese_403_page(cast):
    r = cast.client(cast.viewer).post(reverse("setup_profile", args=[cast.org.id]), {})
    assert r.status_code == 403
    assert "この操作は許可されていません" in r.content.decode()
    r = english(cast.client(cast.viewer)).post(reverse("setup_profile", args=[cast.org.id]), {})
    assert r.status_code == 403 and "Not allowed" in r.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_answers_a_japanese_500_page_without_details():
    r = Client(raise_request_exception=False).get("/boom/")
    assert r.status_code == 500
    text = r.content.decode()
    assert "サーバーエラー" in text and "保存されたか" in text
    assert "RuntimeError" not in text and "a bug in a view" not in text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_the_500_page_is_english_for_a_visitor_who_chose_english():
    r = english(Client(raise_request_exception=False)).get("/boom/")
    assert r.status_code == 500 and "Server error" in r.content.decode()
