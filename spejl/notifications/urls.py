"""URLs of notifications: the providers' delivery-receipt webhook."""

from django.urls import path

from spejl.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/delivery/", views.delivery_receipt, name="delivery_receipt"),
]
