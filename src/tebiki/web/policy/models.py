"""An organisation's choices for its generated rulebook and self-evaluation sheet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tebiki.catalog import get_catalog
from tebiki.core.errors import DataError
from tebiki.core.policy import PolicyChoices, parse_choices
from tebiki.web.orgs.models import Organisation


class PolicySettings(models.Model):
    """One per organisation: the choices (tebiki.core.policy.PolicyChoices), validated before they are stored."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="policy_settings")
    choices = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    # the 情報セキュリティ基本方針 as published (a fact an administrator records; SECURITY ACTION ★★ counts it)
    basic_policy_published_on = models.DateField(null=True, blank=True)
    basic_policy_published_where = models.CharField(max_length=200, blank=True)
    saved_sections = models.JSONField(default=list, blank=True)  # IDs of the page's sections saved at least once

    def get_choices(self) -> PolicyChoices:
        return parse_choices(get_catalog(), self.choices, f"organisation {self.organisation_id} policy choices")


def stored_choices(org: Organisation) -> tuple[PolicyChoices, DataError | None]:
    """The stored choices, or none yet (CSAJ defaults, should/may items from the recorded decisions).

    Choices saved under an older catalog that no longer validate give the defaults and the problem, so pages and
    downloads keep working and the page can say why; saving the form again replaces them.
    """
    stored = PolicySettings.objects.filter(organisation=org).first()
    if stored is None:
        return PolicyChoices(), None
    try:
        return stored.get_choices(), None
    except DataError as err:
        return PolicyChoices(), err


def publication(org: Organisation) -> tuple:
    """The recorded publication of the organisation's basic policy: (date or None, where)."""
    row = (PolicySettings.objects.filter(organisation=org)
           .values_list("basic_policy_published_on", "basic_policy_published_where").first())
    return row or (None, "")


def choices_of(org: Organisation) -> PolicyChoices:
    return stored_choices(org)[0]
