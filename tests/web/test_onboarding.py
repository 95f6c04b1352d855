from __future__ import annotations

import re
from html.parser import HTMLParser

from django.urls import reverse

from tebiki.core.diagnose import questionnaire
from tebiki.web.assessments.models import ItemRecord
from tebiki.web.assessments.service import plan_of
from tebiki.web.assessments.views import TOP_ACTIONS
from tebiki.web.orgs.models import Membership, Organisation, Role

from .test_dashboard import listed_actions

PROFILE = {"name": "新規株式会社", "size": "30", "cloud": ["mail", "meeting"], "wifi": ["home"], "windows": "on",
           "admin": "inhouse"}


def dept(i: int, **fields) -> dict:
    base = {"name": f"部署{i}", "people": "5", "methods": ["vpn"], "work_forms": ["home"], "equipment": ["pc:company"]}
    base.update(fields)
    return {f"dept-{i}-{k}": v for k, v in base.items()}


def formset(*forms: dict) -> dict:
    data = {"dept-TOTAL_FORMS": str(len(forms)), "dept-INITIAL_FORMS": "0", "dept-MIN_NUM_FORMS": "1",
            "dept-MAX_NUM_FORMS": "30"}
    for f in forms:
        data.update(f)
    return data


def start(cast) -> tuple:
    c = cast.client(cast.outsider)
    r = c.post(reverse("org_new"), {"name": "新規株式会社"})
    org = Organisation.objects.get(name="新規株式会社")
    assert r["Location"] == reverse("setup_profile", args=[org.id])
    return c, org


def test_creating_an_organisation_makes_the_creator_its_admin(cast):
    c, org = start(cast)
    assert Membership.objects.get(organisation=org).role == Role.ADMIN
    assert not org.is_ready
    assert c.get(reverse("dashboard", args=[org.id]))["Location"] == reverse("setup_profile", args=[org.id])


def test_the_wizard_ends_with_a_ready_checklist(cast):
    c, org = start(cast)
    r = c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    assert r["Location"] == reverse("setup_departments", args=[org.id])  # the method questions are in this step
    r = c.post(reverse("setup_departments", args=[org.id]), formset(dept(0), dept(1, methods=["cloud_service"])))
    assert r.status_code == 302, r.content.decode()[:2000]
    org.refresh_from_db()
    profile = org.get_profile()
    assert [d.id for d in profile.departments] == ["d1", "d2"]
    assert profile.cloud == ["mail", "meeting"] and profile.size == 30
    assert org.summary["applicable"] > 0
    page = c.get(reverse("setup_ready", args=[org.id])).content.decode()
    assert str(org.summary["applicable"]) in page
    top = listed_actions(page)
    assert len(top) == TOP_ACTIONS and len(set(top)) == TOP_ACTIONS  # one line per measure
    assert top == listed_actions(c.get(reverse("dashboard", args=[org.id])).content.decode())
    assert reverse("checklist", args=[org.id]) in page.split('<ol class="action-list">')[1]


def test_the_first_department_starts_with_everyone_and_the_methods_the_profile_implies(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    page = c.get(reverse("setup_departments", args=[org.id])).content.decode()
    assert 'name="dept-0-people" value="30"' in page
    assert re.search(r'value="cloud_service"[^>]*checked', page)  # cloud services were ticked in step 1
    assert re.search(r'value="pc:company"[^>]*checked', page)


def test_own_devices_and_a_departments_own_network_facts_are_stored(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), {**PROFILE, "servers": "yes", "remote_access": ["vpn_appliance"],
                                                     "information": ["personal_data"]})
    r = c.post(reverse("setup_departments", args=[org.id]), formset(
        dept(0, equipment=["pc:company", "mobile:private"]),
        dept(1, methods=["cloud_service"], own_wifi=["none"], own_cloud=["mail"], own_media="no")))
    assert r.status_code == 302, r.content.decode()[:2000]
    org.refresh_from_db()
    sales, office = org.get_profile().departments
    assert sales.byod and {(e.kind, e.owner) for e in sales.equipment} == {("pc", "company"), ("mobile", "private")}
    assert sales.cloud is None and sales.wifi is None  # as the organisation
    assert (office.cloud, office.wifi, office.removable_media) == (["mail"], [], False)
    profile = org.get_profile()
    assert profile.servers is True and profile.remote_access == ["vpn_appliance"]
    assert profile.information == ["personal_data"]
    page = c.get(reverse("setup_departments", args=[org.id])).content.decode()  # and shown again as answered
    assert re.search(r'name="dept-1-own_wifi" value="none"[^>]*checked', page)


def test_none_together_with_another_answer_is_refused(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    r = c.post(reverse("setup_departments", args=[org.id]), formset(dept(0, own_wifi=["none", "home"])))
    assert r.status_code == 422 and "field-error" in r.content.decode()
    org.refresh_from_db()
    assert org.profile is None


def test_a_department_can_ask_for_a_method_suggestion_without_saving(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    answers = {"q_office_systems": "yes", "q_full_desktop": "yes", "q_office_pc": "yes", "q_data_on_terminal": "no"}
    r = c.post(reverse("setup_departments", args=[org.id]),
               {**formset(dept(0, methods=[], **answers)), "suggest": "0"})
    page = r.content.decode()
    assert r.status_code == 200 and 'class="suggestion"' in page
    assert re.search(r'name="dept-0-methods" value="remote_desktop"[^>]*checked', page)
    assert "field-error" not in page
    org.refresh_from_db()
    assert org.profile is None


def test_open_answers_say_which_answer_would_decide(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    r = c.post(reverse("setup_departments", args=[org.id]),
               {**formset(dept(0, methods=[], q_office_systems="yes", q_full_desktop="yes")), "suggest": "0"})
    note = r.content.decode().split('class="suggestion"')[1].split("</div>")[0]
    assert "VPN方式" in note and "端末に業務データを保存してもよい" in note and "→ はい" in note


def test_answers_that_fit_no_method_get_advice_instead_of_a_dead_end(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    every_no = {f"q_{q.id}": "no" for q in questionnaire().questions}
    r = c.post(reverse("setup_departments", args=[org.id]), {**formset(dept(0, methods=[], **every_no)), "suggest": "0"})
    note = r.content.decode().split('class="suggestion"')[1].split("</div>")[0]
    assert questionnaire().no_fit.ja in note


def test_private_devices_in_the_answers_tick_the_byod_devices(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    r = c.post(reverse("setup_departments", args=[org.id]),
               {**formset(dept(0, q_cloud_tools="yes", q_byod="yes")), "suggest": "0"})
    page = r.content.decode()
    assert re.search(r'value="mobile:private"[^>]*checked', page) and re.search(r'value="pc:company"[^>]*checked', page)
    assert questionnaire().byod_note.ja in page  # the cloud method is rated for company terminals


def test_removing_a_department_is_a_button_and_saves_nothing(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    r = c.post(reverse("setup_departments", args=[org.id]), {**formset(dept(0), dept(1)), "remove": "0"})
    page = r.content.decode()
    assert 'name="dept-0-name"' not in page and 'name="dept-1-name"' in page
    assert 'name="dept-0-DELETE" value="on"' in page and 'type="checkbox" name="dept-0-DELETE"' not in page
    org.refresh_from_db()
    assert org.profile is None
    data = {**formset(dept(0), dept(1)), "dept-0-DELETE": "on"}
    assert c.post(reverse("setup_departments", args=[org.id]), data).status_code == 302
    org.refresh_from_db()
    assert [d.name for d in org.get_profile().departments] == ["部署1"]


def test_the_old_method_step_leads_to_the_departments(cast):
    c, org = start(cast)
    assert c.get(reverse("setup_methods", args=[org.id]))["Location"] == reverse("setup_departments", args=[org.id])


def test_a_department_without_a_method_is_refused_and_nothing_is_stored(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    r = c.post(reverse("setup_departments", args=[org.id]), formset(dept(0, methods=[])))
    assert r.status_code == 422
    assert 'class="field has-error"' in r.content.decode()
    org.refresh_from_db()
    assert org.profile is None


def test_more_people_in_departments_than_in_the_organisation_is_refused(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    r = c.post(reverse("setup_departments", args=[org.id]), formset(dept(0, people="500")))
    assert r.status_code == 422
    assert "size" in r.content.decode()
    org.refresh_from_db()
    assert org.profile is None


def test_bad_profile_input_is_shown_next_to_the_field(cast):
    c, org = start(cast)
    r = c.post(reverse("setup_profile", args=[org.id]), {**PROFILE, "size": "-3", "cloud": ["mainframe"]})
    assert r.status_code == 422
    assert r.content.decode().count('class="field-error"') == 2
    org.refresh_from_db()
    assert "profile" not in org.draft


def test_add_a_department_shows_one_more_form_like_the_one_above_without_saving(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    first = dept(0, people="12", methods=["vpn", "remote_desktop"], work_forms=["home", "mobile"],
                 equipment=["pc:company", "mobile:private"])
    r = c.post(reverse("setup_departments", args=[org.id]), {**formset(first), "add": "1"})
    page = r.content.decode()
    assert 'name="dept-1-name"' in page and 'name="dept-TOTAL_FORMS" value="2"' in page
    assert re.search(r'name="dept-1-name"(?![^>]*value=)', page)  # the name is the newcomer's to type
    assert 'name="dept-1-people" value="18"' in page  # the 30 employees not yet in a department
    for field, values in (("methods", first["dept-0-methods"]), ("work_forms", first["dept-0-work_forms"]),
                          ("equipment", first["dept-0-equipment"])):
        ticked = re.findall(rf'name="dept-1-{field}" value="([^"]+)"[^>]*checked', page)
        assert ticked == values, field
    assert "field-error" not in page
    org.refresh_from_db()
    assert org.profile is None


def test_an_added_department_gets_no_people_when_everyone_is_counted_and_skips_a_removed_one(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    data = {**formset(dept(0, people="30"), dept(1, people="4", methods=["cloud_service"])), "dept-1-DELETE": "on",
            "add": "1"}
    page = c.post(reverse("setup_departments", args=[org.id]), data).content.decode()
    assert re.search(r'name="dept-2-people"(?![^>]*value=)', page)
    assert re.findall(r'name="dept-2-methods" value="([^"]+)"[^>]*checked', page) == ["vpn"]  # not the removed one's


def test_departments_keep_their_ids_when_edited(cast):
    org = cast.org
    c = cast.client(cast.admin)
    before = [d["id"] for d in org.profile["departments"]]
    forms = [dept(i, id=d, name=f"X{i}", people="1") for i, d in enumerate(before)]
    c.post(reverse("setup_profile", args=[org.id]), {**PROFILE, "size": "45"})
    r = c.post(reverse("setup_departments", args=[org.id]), formset(*forms))
    assert r.status_code == 302
    org.refresh_from_db()
    assert [d["id"] for d in org.profile["departments"]] == before


def test_answers_that_no_longer_apply_after_a_profile_change_are_kept_and_listed(cast):
    org = cast.org
    before = {r.item for r in plan_of(org).rows if r.applies and r.scope == "sales"}
    profile = org.get_profile()
    offline = profile.department("sales").model_copy(update={"methods": ["standalone"]})
    org.profile = profile.model_copy(update={"departments": [offline if d.id == "sales" else d
                                                             for d in profile.departments]}).model_dump(mode="json")
    org.save()
    item = next(r.item for r in plan_of(org).rows if r.scope == "sales" and not r.applies and r.item in before)
    ItemRecord.objects.create(organisation=org, item=item, scope="sales", status="done")  # recorded before the change
    page = cast.client(cast.admin).get(reverse("setup_ready", args=[org.id])).content.decode()
    listed = page.split('id="no-longer-applies"')[1].split("</section>")[0]
    assert item.rsplit(":", 1)[-1] in listed and "営業部" in listed and "対応済み" in listed
    assert ItemRecord.objects.get(item=item, scope="sales").status == "done"  # kept


class _FormValues(HTMLParser):
    """What a browser would send for the page's department form, as it is shown."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.data.setdefault(self.select, []).append(a.get("value") or "")
        elif tag in ("input", "textarea") and name.startswith("dept-"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") in ("submit", "button"):
                return
            self.data.setdefault(name, []).append(a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def test_the_department_step_of_a_set_up_organisation_opens_and_saves_directly(cast):
    """Opening 部署 straight from the navigation (no profile step first) and saving what it shows changes nothing."""
    org = cast.org
    c = cast.client(cast.admin)
    before = org.profile
    page = c.get(reverse("setup_departments", args=[org.id]))
    assert page.status_code == 200
    form = _FormValues()
    form.feed(page.content.decode())
    data = {k: v for k, v in form.data.items() if k.startswith("dept-") and not k.endswith("-DELETE")}
    assert data["dept-TOTAL_FORMS"] == [str(len(before["departments"]))]
    r = c.post(reverse("setup_departments", args=[org.id]), data)
    assert r.status_code == 302, re.findall(r'errorlist[^>]*>(.*?)</', r.content.decode(), flags=re.S)
    org.refresh_from_db()
    def same(profile):  # the form lists a department's methods in catalog order
        return {**profile, "departments": [{**d, "methods": sorted(d["methods"])} for d in profile["departments"]]}
    assert same(org.profile) == same(before)


# ---------------------------------------------------------------- jargon explained where a new admin meets it

def _glossary(entry_id: str):
    from tebiki.catalog import get_catalog

    return next(e for e in get_catalog().glossary if e.id == entry_id)


def test_the_set_up_steps_explain_the_jargon_of_their_questions(cast):
    from .test_selfcheck import term_notes

    c, org = start(cast)
    profile = c.get(reverse("setup_profile", args=[org.id])).content.decode()
    notes = term_notes(profile)
    assert _glossary("mic-v5:term:local-breakout").explanation.ja in notes["ローカルブレイクアウト"]
    assert _glossary("mic-v5:term:vpn").explanation.ja in notes["VPN"]  # in the remote-access choices
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    departments = c.get(reverse("setup_departments", args=[org.id])).content.decode()
    notes = term_notes(departments)
    for word, entry in (("VPN", "vpn"), ("リモートデスクトップ", "remote-desktop"), ("VDI", "vdi"),
                        ("私物端末", "byod")):
        assert _glossary(f"mic-v5:term:{entry}").explanation.ja in notes[word], word
    # never inside a label: a button there would tick the box instead of explaining
    assert not re.search(r"<label[^>]*>(?:(?!</label>).)*<button", departments + profile, re.S)
    two = c.post(reverse("setup_departments", args=[org.id]), {**formset(dept(0)), "add": "1"}).content.decode()
    for fieldset in two.split('<fieldset class="department"')[1:]:
        assert "VDI" in term_notes(fieldset)  # every department's methods, not only the first one's


def test_the_first_actions_explain_their_jargon_once_beside_the_link(cast):
    from tebiki.web.people.templatetags.glossary import _index

    from .test_selfcheck import term_notes

    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    c.post(reverse("setup_departments", args=[org.id]), formset(dept(0), dept(1, methods=["cloud_service"])))
    for name in ("setup_ready", "dashboard"):
        page = c.get(reverse(name, args=[org.id])).content.decode()
        block = page.split('<ol class="action-list">')[1].split("</ol>")[0]
        titles = re.findall(r'<a href="[^"]*/items/[^"]*"><strong>[^<]*</strong> ([^<]*)</a>', block)
        pattern, by_word = _index()
        jargon = {by_word[w].id for t in titles for w in pattern.findall(t)}
        assert jargon, "the first actions of this profile use no glossary term; pick a profile that does"
        explained = term_notes(block)
        assert len(explained) == len(jargon)  # each term once, however many titles use it
        assert not re.search(r"<a [^>]*>(?:(?!</a>).)*<button", block, re.S)  # never inside the link


def test_the_ready_page_counts_measures_as_the_checklist_does_and_says_what_the_items_are(cast):
    c, org = start(cast)
    c.post(reverse("setup_profile", args=[org.id]), PROFILE)
    c.post(reverse("setup_departments", args=[org.id]), formset(dept(0), dept(1, methods=["cloud_service"])))
    ready = c.get(reverse("setup_ready", args=[org.id])).content.decode()
    checklist = c.get(reverse("checklist", args=[org.id])).content.decode()
    measures = int(re.search(r"当てはまる対策は全部で (\d+) 件", checklist).group(1))
    org.refresh_from_db()
    items = org.summary["applicable"]
    assert measures < items  # two departments: some measures are recorded once per department
    assert f"自組織に当てはまる対策は {measures} 件です。" in ready
    assert f"記録する項目は全部で {items} 件です" in ready
    assert f"未対応の対策 {measures} 件" in ready  # the link to all of them says the same number
