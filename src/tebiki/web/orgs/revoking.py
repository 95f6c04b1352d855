"""Revoking what an organisation handed out (invitations, enrolment and API tokens): one way, always audited."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from tebiki.web.audit import log as audit

from .access import org_object_or_404, org_view
from .models import BearerToken


def revoke(request: HttpRequest, obj: Model, action: str, *, target: str, data: dict) -> None:
    """Mark *obj* revoked now and record *action* in the audit log, both or neither."""
    with transaction.atomic():
        obj.revoked_at = timezone.now()
        obj.save(update_fields=["revoked_at"])
        audit.record(action, request=request, organisation=request.org, target=target, data=data)


def token_revoke_view(model: type[BearerToken], *, action: str, message, then: str):
    """The POST view that revokes one of the organisation's *model* tokens (managers only) and goes back to *then*.
    Revoking a revoked token changes nothing and records nothing."""

    @require_POST
    @org_view("manage")
    def view(request: HttpRequest, token_id: int) -> HttpResponse:
        token = org_object_or_404(request, model, id=token_id)
        if token.active:
            revoke(request, token, action, target=token.label, data={"hint": token.hint})
            messages.success(request, str(message))
        return redirect(then, org_id=request.org.id)

    view.__name__ = view.__qualname__ = f"revoke_{model._meta.model_name}"
    return view
