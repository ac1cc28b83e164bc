"""URLs of group formation: placement proposals and pairs."""

from django.urls import path

from spejl.formation import views

app_name = "formation"

urlpatterns = [
    path("placement/", views.proposal_list, name="list"),
    path("placement/pairs/", views.pair_list, name="pairs"),
    path("placement/pairs/<uuid:pair_id>/delete/", views.pair_delete, name="pair_delete"),
    path("placement/<uuid:proposal_id>/", views.proposal_detail, name="detail"),
    path("placement/<uuid:proposal_id>/decide/", views.proposal_decide, name="decide"),
    path("placement/<uuid:proposal_id>/resolve/", views.proposal_resolve, name="resolve"),
    path("placement/<uuid:proposal_id>/approve/", views.proposal_approve, name="approve"),
    path("placement/<uuid:proposal_id>/discard/", views.proposal_discard, name="discard"),
]
