from django.urls import path

from tracker.entry import views
from tracker.workflow import views as workflow_views

app_name = "entry"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("<slug:org>/<str:period>/", views.report_values, name="report"),
    path("<slug:org>/<str:period>/history/", views.report_history, name="history"),
    path("<slug:org>/<str:period>/history/<slug:code>/", views.report_history, name="value_history"),
    path("<slug:org>/<str:period>/<slug:action>/", workflow_views.transition, name="transition"),
]
