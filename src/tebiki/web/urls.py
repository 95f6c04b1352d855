from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tebiki.web.accounts import mfa_views
from tebiki.web.accounts import views as accounts
from tebiki.web.accounts.forms import EmailAuthenticationForm
from tebiki.web.assessments import views as assessments
from tebiki.web.audit import views as audit
from tebiki.web.devices import views as devices
from tebiki.web.devices.api import api
from tebiki.web.orgs import views as orgs
from tebiki.web.reports import views as reports

org_patterns = [
    path("", assessments.dashboard, name="dashboard"),
    path("setup/profile/", orgs.setup_profile, name="setup_profile"),
    path("setup/methods/", orgs.setup_methods, name="setup_methods"),
    path("setup/departments/", orgs.setup_departments, name="setup_departments"),
    path("setup/ready/", orgs.setup_ready, name="setup_ready"),
    path("checklist/", assessments.checklist, name="checklist"),
    path("items/<str:item_id>/<slug:scope>/", assessments.item, name="item"),
    path("items/<str:item_id>/<slug:scope>/status/", assessments.item_status, name="item_status"),
    path("items/<str:item_id>/<slug:scope>/evidence/", assessments.evidence_upload, name="evidence_upload"),
    path("evidence/<slug:key>/", assessments.evidence_download, name="evidence_download"),
    path("methods/", assessments.methods, name="methods"),
    path("members/", orgs.members, name="members"),
    path("members/invitations/<int:invitation_id>/revoke/", orgs.revoke_invitation, name="revoke_invitation"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("audit.csv", audit.audit_csv, name="audit_csv"),
    path("devices/", devices.register, name="devices"),
    path("devices/tokens/", devices.create_token, name="create_token"),
    path("devices/tokens/<int:token_id>/revoke/", devices.revoke_token, name="revoke_token"),
    path("devices/<int:device_id>/", devices.device, name="device"),
    path("reports/", reports.index, name="reports"),
    path("reports/report.xlsx", reports.xlsx, name="report_xlsx"),
    path("reports/report.html", reports.html, name="report_html"),
    path("reports/report.pdf", reports.pdf, name="report_pdf"),
    path("reports/items.csv", reports.items_csv, name="report_csv"),
]

urlpatterns = [
    path("", orgs.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm,
                                                        redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/mfa/setup/", mfa_views.setup, name="mfa_setup"),
    path("accounts/mfa/verify/", mfa_views.verify, name="mfa_verify"),
    path("invite/<str:token>/", accounts.accept_invitation, name="accept_invitation"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orgs/", orgs.overview, name="overview"),
    path("orgs/new/", orgs.org_new, name="org_new"),
    path("o/<int:org_id>/", include(org_patterns)),
    path("api/v1/", api.urls),
    path("agent/<str:name>", devices.script, name="agent_script"),
    path("admin/", admin.site.urls),
]
