"""API tokens: per organisation, read or read-write, hashed, revocable; the clear token is shown once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tebiki.web.orgs.models import BearerToken, Organisation

TOKEN_PREFIX = "tbo_"


class ApiToken(BearerToken):
    class Access(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    PREFIX = TOKEN_PREFIX

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    access = models.CharField(_("access"), max_length=5, choices=Access.choices, default=Access.READ)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.hint}…)"

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.WRITE
