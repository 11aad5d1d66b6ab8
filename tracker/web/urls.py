"""Every URL of the site (the root URLconf), with the pages that answer them.

The namespaces `entry:`, `reports:`, `documents:` and `api:` group the pages as the menu does;
the reports' URL space also holds the completeness, checks and review pages.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from tracker.web import (
    acceptance,
    accounts,
    api,
    bulk,
    bulletins,
    checks,
    completeness,
    documents,
    entry,
    grid,
    help,
    home,
    imports,
    notifications,
    reports,
    review,
    transitions,
)
from tracker.web.forms import AdminLoginForm, LoginForm

admin.site.site_header = _("Supervision statistics administration")
admin.site.site_title = _("Supervision statistics")
admin.site.index_title = _("Catalogue, organisations, users and reports")
admin.site.login_form = AdminLoginForm

# A report's figures with its workflow actions and checks, the grid, the import, the acceptance.
entry_patterns = [
    path("", entry.choose, name="choose"),
    path("import/", imports.import_page, name="import"),
    path("import/codes.xlsx", imports.code_list, name="import_codes"),
    path("import/sample.xlsx", imports.sample, name="import_sample"),
    path("grid/<slug:group>/<str:period>/", grid.grid, name="grid"),
    # Several reports approved, returned or submitted at once, from a list or the grid.
    path("bulk/", bulk.bulk_transition, name="bulk"),
    path("acceptance/", acceptance.acceptance_list, name="acceptance_list"),
    path("acceptance/<slug:group>/<str:period>/", acceptance.acceptance_detail, name="acceptance"),
    path("<slug:org>/<str:period>/", entry.report_values, name="report"),
    path("<slug:org>/<str:period>/template.xlsx", entry.entry_template, name="template"),
    path("<slug:org>/<str:period>/history/", entry.report_history, name="history"),
    path("<slug:org>/<str:period>/reopen/", entry.reopen, name="reopen"),
    path("<slug:org>/<str:period>/history/<slug:code>/", entry.report_history, name="value_history"),
    path("<slug:org>/<str:period>/<slug:action>/", transitions.transition, name="transition"),
]

report_patterns = [
    path("", reports.index, name="index"),
    path("<slug:org>/trend/", reports.trend, name="trend"),
    path("<slug:org>/<int:year>/", reports.summary, name="summary"),
    path("<slug:org>/<int:year>/units/", reports.units, name="units"),
    path("<slug:org>/<int:year>/bulletin/", bulletins.bulletin_page, name="bulletin"),
    path("<slug:org>/<int:year>/bulletin.docx", bulletins.bulletin_docx, name="bulletin_docx"),
]

document_patterns = [
    path("", documents.template_list, name="list"),
    path("new/", documents.template_new, name="new"),
    path("texts/<slug:org>/", documents.texts, name="texts"),
    path("<int:pk>/", documents.template_detail, name="detail"),
    path("<int:pk>/source/", documents.source_new, name="source"),
    path("<int:pk>/bind/", documents.bind, name="bind"),
    path("<int:pk>/go/", documents.choose, name="choose"),
    path("<int:pk>/<slug:org>/<int:year>/", documents.generated, name="generated"),
    path("<int:pk>/<slug:org>/<int:year>/document.docx", documents.generated_docx, name="docx"),
]

# 使用说明: a guide per role, and the 口径 of every indicator.
help_patterns = [
    path("", help.guide, name="guide"),
    path("indicators/", help.indicators, name="indicators"),
    path("<slug:role>/", help.guide, name="role"),
]

api_patterns = [
    path("summary/", api.summary, name="summary"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/lockouts/", accounts.lockouts, name="lockouts"),
    path("accounts/", home.account, name="account"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/remind/", notifications.send_reminders, name="remind"),
    path("accounts/password_change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Choosing a language must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("entry/", include((entry_patterns, "entry"))),
    path("reports/<slug:org>/<int:year>/completeness/", completeness.completeness_page, name="completeness"),
    path("reports/<slug:org>/<int:year>/checks/", checks.checks_page, name="checks"),
    # The review is the organisation's own speech, a document template.
    path("reports/<slug:org>/<int:year>/review/", review.review, name="review"),
    path("reports/<slug:org>/<int:year>/review.docx", review.review_docx, name="review_docx"),
    path("reports/", include((report_patterns, "reports"))),
    path("api/v1/", include((api_patterns, "api"))),
    path("documents/", include((document_patterns, "documents"))),
    path("help/", include((help_patterns, "help"))),
    path("admin/", admin.site.urls),
]

handler400 = "tracker.web.errors.bad_request"
handler403 = "tracker.web.errors.permission_denied"
handler404 = "tracker.web.errors.page_not_found"
handler500 = "tracker.web.errors.server_error"
