from django.urls import path

from tracker.web import help

app_name = "help"
urlpatterns = [
    path("", help.guide, name="guide"),
    path("indicators/", help.indicators, name="indicators"),
    path("<slug:role>/", help.guide, name="role"),
]
