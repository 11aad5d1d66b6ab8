from django.urls import path

from tracker.reports import api

app_name = "api"

urlpatterns = [
    path("summary/", api.summary, name="summary"),
]
