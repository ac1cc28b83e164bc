from django.urls import path

from spejl.consents import views
from spejl.consents.models import ConsentPurpose

app_name = "consents"

urlpatterns = [
    path("consent-texts/", views.texts, name="texts"),
    path("consent-texts/<uuid:text_id>/", views.text_detail, name="text_detail"),
    path(
        "consent-texts/<uuid:text_id>/new-version/",
        views.text_new_version,
        name="text_new_version",
    ),
    path("consent-texts/<uuid:text_id>/edit/", views.text_edit, name="text_edit"),
    path("consent-texts/<uuid:text_id>/publish/", views.text_publish, name="text_publish"),
    path("participants/<uuid:participant_id>/consents/", views.record, name="record"),
    path(
        "p/<str:token>/consents/<str:purpose>/give/",
        views.participant_give,
        name="participant_give",
    ),
    path(
        "p/<str:token>/consents/<str:purpose>/withdraw/",
        views.participant_withdraw,
        name="participant_withdraw",
    ),
    # The public page of each purpose: /consent/<purpose>/. One fixed pattern per purpose (the
    # purpose passed as a default keyword) rather than a <str:purpose> keyword, so that the
    # URL-walking access test treats it as the public page it is, not as an object URL of
    # organisation A. {% url 'consents:public_text' purpose=... %} works as usual.
    *[
        path(f"consent/{purpose}/", views.public_text, {"purpose": purpose}, name="public_text")
        for purpose in ConsentPurpose.values
    ],
]
