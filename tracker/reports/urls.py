from django.urls import path

from tracker.reports import bulletin_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:org>/trend/", views.trend, name="trend"),
    path("<slug:org>/<int:year>/", views.summary, name="summary"),
    path("<slug:org>/<int:year>/units/", views.units, name="units"),
    path("<slug:org>/<int:year>/bulletin/", bulletin_views.bulletin_page, name="bulletin"),
    path("<slug:org>/<int:year>/bulletin.docx", bulletin_views.bulletin_docx, name="bulletin_docx"),
]
