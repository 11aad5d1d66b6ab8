from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from tracker import views
from tracker.checks import views as checks_views
from tracker.documents import review as document_views
from tracker.orgs import views as org_views
from tracker.orgs.forms import AdminLoginForm, LoginForm
from tracker.reports import completeness_views
from tracker.workflow import notification_views

admin.site.site_header = _("Supervision statistics administration")
admin.site.site_title = _("Supervision statistics")
admin.site.index_title = _("Catalogue, organisations, users and reports")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/lockouts/", org_views.lockouts, name="lockouts"),
    path("accounts/", views.account, name="account"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/remind/", notification_views.send_reminders, name="remind"),
    path("accounts/password_change/", org_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Choosing a language must work on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("entry/", include("tracker.workflow.entry_urls")),
    # Workflow and checks reports live with their apps but share the reports' URL space.
    path("reports/<slug:org>/<int:year>/completeness/", completeness_views.completeness_page, name="completeness"),
    path("reports/<slug:org>/<int:year>/checks/", checks_views.checks_page, name="checks"),
    # The review is the organisation's own speech, a document template (tracker.documents).
    path("reports/<slug:org>/<int:year>/review/", document_views.review, name="review"),
    path("reports/<slug:org>/<int:year>/review.docx", document_views.review_docx, name="review_docx"),
    path("reports/", include("tracker.reports.urls")),
    path("api/v1/", include("tracker.reports.api_urls")),
    path("documents/", include("tracker.documents.urls")),
    path("help/", include("tracker.web.help_urls")),
    path("admin/", admin.site.urls),
]

handler400 = "tracker.views.bad_request"
handler403 = "tracker.views.permission_denied"
handler404 = "tracker.views.page_not_found"
handler500 = "tracker.views.server_error"
