from django.urls import path

from spejl.web import views

app_name = "web"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy_notice, name="privacy"),
]
