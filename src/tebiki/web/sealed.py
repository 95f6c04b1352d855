"""Secrets kept sealed (AES-GCM) under a key derived from SECRET_KEY, for what must be read back but never sit
in clear in the database: TOTP keys at rest, and a new link or token waiting in the session to be shown once.

Each use names its purpose, which is bound into the ciphertext, so a sealed value cannot be moved to another use.
SECRET_KEY_FALLBACKS are tried on opening, so the secret key can be rotated without losing what was sealed.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "s1:"


class Unsealable(ValueError):
    """Not sealed by this installation (or for this purpose), or changed since."""


def _aead(secret: str) -> AESGCM:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tebiki sealed v1")
    return AESGCM(hkdf.derive(secret.encode()))


def seal(data: bytes, purpose: str) -> str:
    """*data* encrypted and authenticated for *purpose*, as text: "s1:" and 64 characters for 20 bytes."""
    nonce = os.urandom(12)
    body = nonce + _aead(settings.SECRET_KEY).encrypt(nonce, data, purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(body).decode().rstrip("=")


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


def unseal(text: str, purpose: str) -> bytes:
    if not is_sealed(text):
        raise Unsealable("not a sealed value")
    try:
        body = base64.urlsafe_b64decode(text[len(PREFIX):] + "=" * (-len(text) % 4))
    except ValueError as err:
        raise Unsealable("not a sealed value") from err
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        try:
            return _aead(secret).decrypt(body[:12], body[12:], purpose.encode())
        except (InvalidTag, ValueError):
            continue
    raise Unsealable("sealed with another secret key or for another purpose")


def show_once(request, name: str, value: Any) -> None:
    """Keep *value* (a new link, token …) in the session, sealed, until `take_once` shows it on the next page."""
    request.session[name] = seal(json.dumps(value).encode(), f"session:{name}")


def take_once(request, name: str) -> Any:
    """The value `show_once` kept, removed from the session; None if there is none (or it cannot be opened)."""
    sealed = request.session.pop(name, None)
    if not isinstance(sealed, str):
        return None
    try:
        return json.loads(unseal(sealed, f"session:{name}"))
    except Unsealable:
        return None
