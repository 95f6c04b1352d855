"""Turn campaign results into rows for the templates (titles from the catalog, labels per department)."""

from __future__ import annotations

from typing import Any

from tebiki.catalog import get_catalog
from tebiki.core.campaign import Results
from tebiki.core.worker_guide import guide, in_order
from tebiki.web.assessments.templatetags.tebiki_tags import measure_label, tr


def item_rows(c, res: Results, scope: str = "organisation") -> list[dict[str, Any]]:
    """One row per question, with the further catalog entries its answers count for; its label and title are
    rendered here once, not once per table that shows the item."""
    by_id, texts = get_catalog().by_id, guide()

    def named(item: str) -> dict[str, str]:
        return {"id": item, "label": measure_label(item), "text": tr(by_id[item].title)}

    return [{**named(item), "title": by_id[item].title, "tally": res.tally(item, scope),
             "also": [named(e) for e in (texts[item].evidences[1:] if item in texts else ())]}
            for item in in_order(list(c.items))]


def campaign_rows(c, res: Results, workers, links, submitted, dept_names, new_links, scope: str = "organisation"
                  ) -> dict[str, Any]:
    """The page's rows: every item (counted in *scope*: the organisation or one department) and department, and a
    row for each of *workers* (the page shown of them)."""
    late = {w.id for w in res.not_answered}
    items = item_rows(c, res, scope)
    departments = [{"id": d, "name": dept_names.get(d, d), "result": res.departments.get(d)} for d in c.departments]
    people = [{"worker": w, "department": dept_names.get(w.department, w.department), "progress": res.workers[w.id],
               "late": w.id in late, "link": links.get(w.id), "submitted_at": submitted.get(w.id),
               "new_link": new_links.get(w.id)} for w in workers]
    return {"items": items, "scope": scope, "scope_name": dept_names.get(scope, scope), "departments": departments,
            "people": people, "worker_count": len(res.workers),
            "late_count": len(late), "new_links": bool(new_links)}
