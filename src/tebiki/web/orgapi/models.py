"""API tokens: per organisation, read or read-write, hashed, revocable; the clear token is shown once."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tebiki.web.orgs.models import Organisation, token_hash

TOKEN_PREFIX = "tbo_"


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    label = models.CharField(_("label"), max_length=100)
    access = models.CharField(_("access"), max_length=5, choices=Access.choices, default=Access.READ)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # first characters, to tell tokens apart
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.hint}…)"

    @classmethod
    def issue(cls, organisation: Organisation, label: str, access: str, by) -> tuple[ApiToken, str]:
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        obj = cls.objects.create(organisation=organisation, label=label, access=access,
                                 token_hash=token_hash(token), hint=token[:10], created_by=by)
        return obj, token

    @classmethod
    def find(cls, token: str) -> ApiToken | None:
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        return (cls.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
                .select_related("organisation").order_by().first())

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.WRITE
