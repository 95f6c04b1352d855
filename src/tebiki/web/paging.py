"""Long lists in pages: one way to cut a list and one pager to move through it ({% pager page %})."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PEOPLE_PER_PAGE = 50  # workers on a page: what a manager scans down in one go


def page_of(request: HttpRequest, items, per_page: int) -> Page:
    """The page of *items* that ?page= asks for; past the end it is the last page, not a number it is the first."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def pager_context(request: HttpRequest, page: Page) -> dict:
    """What _pager.html needs: the page, the other query parameters (the filters) to keep, and the numbers."""
    query = request.GET.copy()
    query.pop("page", None)
    kept = query.urlencode()
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return {"page": page, "query": kept + "&" if kept else "", "numbers": list(numbers),
            "ellipsis": Paginator.ELLIPSIS}
