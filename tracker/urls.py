from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from tracker import views

admin.site.site_header = _("Supervision statistics administration")
admin.site.site_title = _("Supervision statistics")
admin.site.index_title = _("Catalogue, organisations, users and reports")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("entry/", include("tracker.entry.urls")),
    path("reports/", include("tracker.reports.urls")),
    path("api/v1/", include("tracker.reports.api_urls")),
    path("admin/", admin.site.urls),
]
