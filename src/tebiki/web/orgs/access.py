"""The one way views reach organisation data: through the signed-in user's membership.

`membership_or_404` answers 404 for an organisation the user does not belong to, so another
organisation's objects are not even confirmed to exist. `org_objects` scopes any model with an
`organisation` field to the current organisation. Role checks answer 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from .models import Membership


def membership_or_404(request: HttpRequest, org_id: int) -> Membership:
    if not request.user.is_authenticated:
        raise Http404
    m = (Membership.objects.select_related("organisation")
         .filter(user=request.user, organisation_id=org_id).first())
    if m is None:
        raise Http404
    return m


def org_objects(request: HttpRequest, model: type[Model]) -> QuerySet:
    """All objects of *model* that belong to the organisation of the current request."""
    return model.objects.filter(organisation=request.membership.organisation)


NEEDS = ("view", "edit", "manage")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def may(m: Membership, need: str) -> bool:
    """Whether a member may do what *need* names: "view" (every member), "edit" or "manage"."""
    return need == "view" or need == "edit" and m.can_edit or need == "manage" and m.can_manage


def org_object_or_404(request: HttpRequest, model: type[Model], **lookup) -> Model:
    """The one object of *model* in the current organisation matching *lookup*; 404 otherwise, even if another
    organisation has it, so that its existence is not confirmed."""
    obj = org_objects(request, model).filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def org_view(need: str = "view", post: str | None = None, ready: bool = False):
    """Decorator for views under /o/<org_id>/: sets request.membership and request.org, checks the role.

    need: what reading the page takes (GET), and every method unless *post* is given: "view" (every member),
    "edit" (executive, admin, consultant) or "manage" (executive, admin). post: what a POST takes, when it takes
    more than reading. A member without it gets 403; an outsider gets 404 either way.
    ready: the view needs a finished profile; before that it sends the user to the first onboarding step.
    """
    post = post or need
    if need not in NEEDS or post not in NEEDS:
        raise ValueError(f"org_view: need and post are one of {NEEDS}, got {need!r}, {post!r}")

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org_id: int, *args, **kwargs):
            m = membership_or_404(request, org_id)
            if not may(m, need if request.method in SAFE_METHODS else post):
                raise PermissionDenied
            request.membership = m
            request.org = m.organisation
            if ready and not m.organisation.is_ready:
                return redirect("setup_profile", org_id=org_id)
            return view(request, *args, **kwargs)
        wrapper.org_need = need  # read by the permission matrix (tests/web/test_access.py)
        wrapper.org_post_need = post
        return wrapper
    return decorator
