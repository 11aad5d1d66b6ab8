from django.urls import path

from tracker.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.template_list, name="list"),
    path("new/", views.template_new, name="new"),
    path("texts/<slug:org>/", views.texts, name="texts"),
    path("<int:pk>/", views.template_detail, name="detail"),
    path("<int:pk>/source/", views.source_new, name="source"),
    path("<int:pk>/bind/", views.bind, name="bind"),
    path("<int:pk>/go/", views.choose, name="choose"),
    path("<int:pk>/<slug:org>/<int:year>/", views.generated, name="generated"),
    path("<int:pk>/<slug:org>/<int:year>/document.docx", views.generated_docx, name="docx"),
]
