"""Organisations, who belongs to them in which role, and invitations by link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tebiki.core.profile import Profile
from tebiki.core.vocabulary import MEMBER_ROLE
from tebiki.web.sql import get_row
from tebiki.web.vocab import text_choices

Role = text_choices("Role", MEMBER_ROLE)


EDITORS = {Role.EXECUTIVE, Role.ADMIN, Role.CONSULTANT}  # may record statuses and decisions
MANAGERS = {Role.EXECUTIVE, Role.ADMIN}  # may change the profile and invite people


class Organisation(models.Model):
    name = models.CharField(_("organisation name"), max_length=100)
    profile = models.JSONField(_("profile"), null=True, blank=True)  # tebiki.core.profile.Profile, validated
    draft = models.JSONField(default=dict, blank=True)  # onboarding answers not yet complete
    summary = models.JSONField(default=dict, blank=True)  # derived; refreshed after every change
    # bumped by every saved item (assessments.service.save_item), in the same transaction: part of the key of
    # everything derived from the records, so two changes in the same instant are still two versions
    revision = models.PositiveBigIntegerField(default=0, editable=False)
    # moved by the database itself on every change to devices, workers, campaigns and answers (orgs.evidence); never
    # written from Python: save() leaves it out, so an organisation read before a change cannot set it back
    evidence_revision = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()  # as Django's own save: only the fields that were loaded
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields if not f.primary_key
                                       and f.name != "evidence_revision" and f.attname not in deferred]
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name

    @property
    def is_ready(self) -> bool:
        return self.profile is not None

    def get_profile(self) -> Profile:
        return Profile.model_validate(self.profile)


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITORS

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGERS


def token_hash(token: str) -> str:
    """What is stored of every secret link or token (invitations, enrolment, personal and report links)."""
    return hashlib.sha256(token.encode()).hexdigest()


class BearerToken(models.Model):
    """A secret an organisation gives to a machine (a device's enrolment, a script's API access). Only its hash is
    stored; the clear token is returned once by `issue`. Subclasses set PREFIX and their organisation field."""

    PREFIX = ""
    LOADED_WITH: str | None = "organisation"  # the related row find() reads in the same query, for the token's use

    label = models.CharField(_("label"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # first characters, to tell tokens apart
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def new_secret(cls) -> tuple[str, dict[str, str]]:
        """A new clear token and what is stored of it (its hash and hint)."""
        token = cls.PREFIX + secrets.token_urlsafe(32)
        return token, {"token_hash": token_hash(token), "hint": token[:10]}

    @classmethod
    def issue(cls, organisation: Organisation, label: str, by, **fields):
        """A new token and its clear text (shown once, never stored)."""
        token, stored = cls.new_secret()
        obj = cls.objects.create(organisation=organisation, label=label, created_by=by, **stored, **fields)
        return obj, token

    @classmethod
    def find(cls, token: str):
        """The live token with this clear text, or None (wrong prefix, too long, unknown or revoked)."""
        if not token.startswith(cls.PREFIX) or len(token) > 100:
            return None
        # With its organisation (LOADED_WITH), which most uses of a token need: one query, not two. Read from the
        # database on every request, so a revocation holds from the next one. Its SQL is built once (tebiki.web.sql):
        # about 55 µs a look-up against 400 µs for the same select_related queryset, compiled again each time.
        return get_row(cls, {"token_hash": token_hash(token)}, null=("revoked_at",), related=cls.LOADED_WITH)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def by_token(self, token: str) -> Invitation | None:
        return self.usable().filter(token_hash=token_hash(token)).select_related("organisation").first()


class Invitation(models.Model):
    """A link that makes its holder a member. Only the token's hash is stored."""

    VALID_FOR = timedelta(days=7)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    @classmethod
    def issue(cls, organisation: Organisation, email: str, role: str, by) -> tuple[Invitation, str]:
        """Create an invitation; returns it with the clear token, which is shown once and never stored."""
        token = secrets.token_urlsafe(32)
        inv = cls.objects.create(organisation=organisation, email=email.lower(), role=role, token_hash=token_hash(token),
                                 created_by=by, expires_at=timezone.now() + cls.VALID_FOR)
        return inv, token

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "open"
