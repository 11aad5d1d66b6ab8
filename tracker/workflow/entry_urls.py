"""The entry pages (`entry:` URLs): a report's figures with its workflow actions and checks.

They live with the workflow, above entry and checks, because the page shows all three.
"""

from django.urls import path

from tracker.workflow import acceptance_views, grid_views, import_views
from tracker.workflow import entry_views as views
from tracker.workflow import views as workflow_views

app_name = "entry"

urlpatterns = [
    path("", views.choose, name="choose"),
    path("import/", import_views.import_page, name="import"),
    path("import/codes.xlsx", import_views.code_list, name="import_codes"),
    path("import/sample.xlsx", import_views.sample, name="import_sample"),
    path("grid/<slug:group>/<str:period>/", grid_views.grid, name="grid"),
    path("acceptance/", acceptance_views.acceptance_list, name="acceptance_list"),
    path("acceptance/<slug:group>/<str:period>/", acceptance_views.acceptance_detail, name="acceptance"),
    path("<slug:org>/<str:period>/", views.report_values, name="report"),
    path("<slug:org>/<str:period>/template.xlsx", views.entry_template, name="template"),
    path("<slug:org>/<str:period>/history/", views.report_history, name="history"),
    path("<slug:org>/<str:period>/reopen/", views.reopen, name="reopen"),
    path("<slug:org>/<str:period>/history/<slug:code>/", views.report_history, name="value_history"),
    path("<slug:org>/<str:period>/<slug:action>/", workflow_views.transition, name="transition"),
]
