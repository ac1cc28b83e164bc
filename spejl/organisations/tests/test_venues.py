from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from spejl.conftest import World
from spejl.organisations.models import Postcode, Venue
from spejl.organisations.postcodes import PostcodeFileError, read_postcodes


def _venue_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Kulturhuset, lokale 3",
        "street_address": "Vestergade 2",
        "postcode": "8000",
        "step_free_access": "on",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_coordinator_adds_a_venue_placed_at_its_postcode(world: World, client_as: Any) -> None:
    url = reverse("organisations:venue_create", kwargs={"org_slug": world.org_a.slug})
    response = client_as("coordinator_a").post(url, _venue_data())
    assert response.status_code == 302
    venue = Venue.objects.get(name="Kulturhuset, lokale 3")
    assert venue.organisation == world.org_a
    aarhus = Postcode.objects.get(code="8000")
    assert (venue.latitude, venue.longitude) == (aarhus.latitude, aarhus.longitude)
    assert venue.step_free_access and not venue.hearing_loop


@pytest.mark.parametrize(
    ("code", "message"),
    [("0000", "0000"), ("80a0", "fire cifre"), ("800", "fire cifre")],
)
def test_unknown_or_malformed_postcode_gets_a_clear_message_and_changes_nothing(
    world: World, client_as: Any, code: str, message: str
) -> None:
    url = reverse("organisations:venue_create", kwargs={"org_slug": world.org_a.slug})
    before = Venue.objects.count()
    response = client_as("coordinator_a").post(url, _venue_data(postcode=code))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["postcode"])
    assert message in errors
    assert response.context["form"]["name"].value() == "Kulturhuset, lokale 3"
    assert Venue.objects.count() == before


def test_unknown_postcode_message_is_in_danish_by_default(world: World, client_as: Any) -> None:
    url = reverse("organisations:venue_create", kwargs={"org_slug": world.org_a.slug})
    response = client_as("coordinator_a").post(url, _venue_data(postcode="0000"))
    assert "Vi kender ikke postnummeret 0000" in response.content.decode()


def test_editing_a_venue_moves_it_to_its_new_postcode(world: World, client_as: Any) -> None:
    url = reverse("organisations:venue_edit", kwargs={"venue_id": world.venue_a.public_id})
    response = client_as("coordinator_a2").post(url, _venue_data(postcode="8900"))
    assert response.status_code == 302
    world.venue_a.refresh_from_db()
    assert world.venue_a.postcode_id == "8900"
    assert world.venue_a.latitude == Postcode.objects.get(code="8900").latitude


def test_facilitator_sees_but_cannot_edit_the_venue(world: World, client_as: Any) -> None:
    client = client_as("facilitator_a")
    assert (
        client.get(
            reverse("organisations:venue_detail", kwargs={"venue_id": world.venue_a.public_id})
        ).status_code
        == 200
    )
    url = reverse("organisations:venue_edit", kwargs={"venue_id": world.venue_a.public_id})
    assert client.post(url, _venue_data(name="Hijacked")).status_code == 403
    world.venue_a.refresh_from_db()
    assert world.venue_a.name == "Mødelokalet Aarhus"


def test_organisation_list_shows_coordinator_only_their_own(world: World, client_as: Any) -> None:
    response = client_as("coordinator_b").get(reverse("organisations:list"))
    assert list(response.context["organisations"]) == [world.org_b]


def test_organisation_list_sorts_danish_names_in_danish_order(world: World, client_as: Any) -> None:
    from spejl.testing.factories import OrganisationFactory

    for name in ("Åbenrå Selvhjælp", "Ærø Frivilligcenter", "Øster Frivilligcenter", "Zealand"):
        OrganisationFactory(name=name)
    names = [
        o.name
        for o in client_as("evaluator").get(reverse("organisations:list")).context["organisations"]
    ]
    tail = [n for n in names if n[0] in "ZÆØÅ"]
    assert tail == ["Zealand", "Ærø Frivilligcenter", "Øster Frivilligcenter", "Åbenrå Selvhjælp"]


def test_organisation_list_runs_a_constant_number_of_queries(
    world: World, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    from spejl.testing.factories import OrganisationFactory, VenueFactory

    client = client_as("national_admin")
    for _ in range(25):
        VenueFactory(organisation=OrganisationFactory())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("organisations:list"))
    assert len(response.context["organisations"]) >= 28


def test_shipped_postcode_file_is_valid_and_complete() -> None:
    from django.conf import settings

    rows = read_postcodes(settings.SPEJL_POSTCODES_CSV)
    assert len(rows) > 1000
    by_code = {r.code: r for r in rows}
    assert by_code["8000"].town == "Aarhus C"
    assert by_code["3700"].municipality == "Bornholm"


def test_malformed_postcode_file_names_the_line_and_the_fault(tmp_path: Path) -> None:
    bad = tmp_path / "postcodes.csv"
    bad.write_text(
        "postcode,town,municipality_codes,municipalities,region_codes,regions,lat,lon,"
        "coordinate_source\n8000,Aarhus C,751,Aarhus,1082,Region Midtjylland,56.15,10.2,x\n"
        "8000,Aarhus C,751,Aarhus,1082,Region Midtjylland,56.15,10.2,x\n",
        encoding="utf-8",
    )
    with pytest.raises(PostcodeFileError, match=r"postcodes.csv:3: duplicate postcode 8000"):
        read_postcodes(bad)
