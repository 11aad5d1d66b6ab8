from django.urls import path

from tracker.entry import views

app_name = "entry"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("<slug:org>/<str:period>/", views.report_values, name="report"),
]
