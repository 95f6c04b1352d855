from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, register_converter
from django.views.generic.base import RedirectView

from tebiki.web.accounts import mfa_views
from tebiki.web.accounts import views as accounts
from tebiki.web.accounts.forms import EmailAuthenticationForm
from tebiki.web.assessments import views as assessments
from tebiki.web.audit import views as audit
from tebiki.web.devices import views as devices
from tebiki.web.devices import worker_views as device_pages
from tebiki.web.devices.api import api
from tebiki.web.incidents.views import contacts, report
from tebiki.web.incidents.views import log as incidents
from tebiki.web.logs import SecretConverter
from tebiki.web.orgapi import views as orgapi
from tebiki.web.orgs import templating
from tebiki.web.orgs import views as orgs
from tebiki.web.people import views as people
from tebiki.web.people import worker_views
from tebiki.web.policy import basic as basic_policy
from tebiki.web.policy import views as policy
from tebiki.web.policy.forms import SECTIONS as POLICY_SECTIONS
from tebiki.web.reports import views as reports

# A link's secret is captured as <secret:…>: the log filter masks exactly these segments (tebiki.web.logs).
register_converter(SecretConverter, "secret")

org_patterns = [
    path("", assessments.dashboard, name="dashboard"),
    path("setup/profile/", orgs.setup_profile, name="setup_profile"),
    path("setup/methods/", orgs.setup_methods, name="setup_methods"),
    path("setup/departments/", orgs.setup_departments, name="setup_departments"),
    path("setup/ready/", orgs.setup_ready, name="setup_ready"),
    path("profile/", orgs.profile, name="org_profile"),
    path("profile/template.json", templating.template_download, name="org_template"),
    path("checklist/", assessments.checklist, name="checklist"),
    path("items/<str:item_id>/<slug:scope>/", assessments.item, name="item"),
    path("items/<str:item_id>/<slug:scope>/status/", assessments.item_status, name="item_status"),
    path("items/<str:item_id>/<slug:scope>/priority/", assessments.item_priority, name="item_priority"),
    path("items/<str:item_id>/<slug:scope>/evidence/", assessments.evidence_upload, name="evidence_upload"),
    path("evidence/<slug:key>/", assessments.evidence_download, name="evidence_download"),
    path("methods/", assessments.methods, name="methods"),
    path("members/", orgs.members, name="members"),
    path("members/invitations/<int:invitation_id>/revoke/", orgs.revoke_invitation, name="revoke_invitation"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit.csv", audit.audit_csv, name="audit_csv"),
    path("devices/", devices.register, name="devices"),
    path("devices/register.xlsx", devices.register_xlsx, name="devices_xlsx"),
    path("devices/tokens/", devices.create_token, name="create_token"),
    path("devices/tokens/<int:token_id>/revoke/", devices.revoke_token, name="revoke_token"),
    path("devices/<int:device_id>/", devices.device, name="device"),
    path("devices/<int:device_id>/edit/", devices.edit_device, name="edit_device"),
    path("devices/<int:device_id>/remove/", devices.remove_device, name="remove_device"),
    path("devices/<int:device_id>/links/revoke/", devices.revoke_device_links, name="revoke_device_links"),
    path("contacts/", contacts.contacts, name="contacts"),
    path("contacts/new/", contacts.contact_new, name="contact_new"),
    path("contacts/card/", contacts.card, name="contact_card"),
    path("contacts/card.pdf", contacts.card_pdf, name="contact_card_pdf"),
    path("contacts/<int:contact_id>/", contacts.contact_edit, name="contact_edit"),
    path("contacts/<int:contact_id>/delete/", contacts.contact_delete, name="contact_delete"),
    path("incidents/", incidents.incidents, name="incidents"),
    path("incidents/report/", report.member_report, name="incident_report"),
    path("incidents/sent/", report.member_sent, name="incident_sent"),
    path("incidents/link/", incidents.issue_link, name="issue_report_link"),
    path("incidents/link/revoke/", incidents.revoke_link, name="revoke_report_link"),
    path("incidents/<int:incident_id>/", incidents.incident, name="incident"),
    path("incidents/<int:incident_id>/status/", incidents.incident_status, name="incident_status"),
    path("incidents/<int:incident_id>/note/", incidents.incident_note, name="incident_note"),
    path("incidents/<int:incident_id>/links/", incidents.incident_links, name="incident_links"),
    path("reports/", reports.index, name="reports"),
    path("reports/report.xlsx", reports.xlsx, name="report_xlsx"),
    path("reports/report.html", reports.html, name="report_html"),
    path("reports/report.pdf", reports.pdf, name="report_pdf"),
    path("reports/items.csv", reports.items_csv, name="report_csv"),
    path("reports/oscal-assessment-results.json", reports.oscal_results, name="report_oscal_results"),
    path("reports/oscal-catalog-mic-v5.json", reports.oscal_catalog, {"source": "mic-v5"}, name="report_oscal_mic"),
    path("reports/oscal-catalog-csaj-2018.json", reports.oscal_catalog, {"source": "csaj-2018"}, name="report_oscal_csaj"),
    path("reports/ciso-assistant-library.yaml", reports.ciso_library, name="report_ciso_library"),
    path("reports/security-action/", reports.security_action, name="security_action"),
    path("api-tokens/", orgapi.tokens, name="api_tokens"),
    path("api-tokens/<int:token_id>/revoke/", orgapi.revoke, name="revoke_api_token"),
    path("policy/", policy.index, name="policy"),
    *(path(f"policy/{s.id}/", policy.section, {"section": s.id}, name=s.url_name) for s in POLICY_SECTIONS),
    path("policy/policy.docx", policy.policy_docx, name="policy_docx"),
    path("policy/self-evaluation.xlsx", policy.self_evaluation_xlsx, name="policy_xlsx"),
    path("policy/basic-policy.docx", basic_policy.basic_policy_docx, name="basic_policy_docx"),
    path("policy/basic-policy/published/", basic_policy.basic_policy_published, name="basic_policy_published"),
    path("workers/", people.workers, name="workers"),
    path("workers/bulk/", people.workers_bulk, name="workers_bulk"),
    path("workers/<int:worker_id>/", people.worker_edit, name="worker_edit"),
    path("workers/<int:worker_id>/remove/", people.worker_delete, name="worker_delete"),
    path("campaigns/", people.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", people.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/open/", people.campaign_open, name="campaign_open"),
    path("campaigns/<int:campaign_id>/close/", people.campaign_close, name="campaign_close"),
    path("campaigns/<int:campaign_id>/remind/", people.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:campaign_id>/workers/<int:worker_id>/link/", people.link_reissue, name="link_reissue"),
    path("campaigns/<int:campaign_id>/workers/<int:worker_id>/revoke/", people.link_revoke, name="link_revoke"),
    path("training/", people.training, name="training"),
]

urlpatterns = [
    # first: a device's upload is the most frequent request, and the resolver tries the patterns in order
    path("api/v1/", api.urls),
    path("", orgs.home, name="home"),
    path("accounts/login/", accounts.LoginView.as_view(authentication_form=EmailAuthenticationForm), name="login"),
    path("start/", accounts.start, name="start"),
    path("favicon.ico", RedirectView.as_view(url=static("tebiki/favicon.svg"), permanent=True)),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/mfa/setup/", mfa_views.setup, name="mfa_setup"),
    path("accounts/mfa/verify/", mfa_views.verify, name="mfa_verify"),
    path("accounts/mfa/replace/", mfa_views.replace, name="mfa_replace"),
    path("invite/<secret:token>/", accounts.accept_invitation, name="accept_invitation"),
    path("r/<secret:token>/", report.public_report, name="public_report"),
    path("r/<secret:token>/sent/", report.public_sent, name="public_sent"),
    path("r/<secret:token>/contacts/", report.public_contacts, name="public_contacts"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orgs/", orgs.overview, name="overview"),
    path("orgs/new/", orgs.org_new, name="org_new"),
    path("orgs/new/template/", templating.org_from_template, name="org_from_template"),
    path("o/<int:org_id>/", include(org_patterns)),
    path("agent/<str:name>", devices.script, name="agent_script"),
    path("w/<secret:token>/", worker_views.worker_form, name="worker_form"),
    path("w/<secret:token>/answer/", worker_views.worker_answer, name="worker_answer"),
    path("w/<secret:token>/training/<slug:module_id>/", worker_views.worker_training, name="worker_training"),
    path("w/<secret:token>/devices/", device_pages.worker_devices, name="worker_devices"),
    path("d/<secret:token>/", device_pages.device_link, name="device_link"),
    path("admin/", admin.site.urls),
]
