"""The public group finder and its JSON feed: which groups, in which order, and nothing
about people."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spejl.conftest import World
from spejl.enquiries.selectors import PublicGroupFilter, public_groups
from spejl.enquiries.tests.fixtures import recruiting_group
from spejl.groups.models import GroupStatus, Target
from spejl.organisations.models import Organisation, Venue
from spejl.participants.models import Contact
from spejl.testing.factories import postcode
from spejl.testing.groups import make_group

FINDER = reverse("enquiries:finder")
FEED = reverse("enquiries:feed")


def _titles(response: Any) -> list[str]:
    return [row.title for row in response.context["page"].object_list]


@pytest.fixture
def groups(world: World, venue_aalborg: Venue) -> dict[str, Any]:
    """Groups in Aarhus (A), Odense (B) and Aalborg, in every state that matters."""
    made = {
        "aarhus": recruiting_group(world, title="Aarhus-gruppen", starts_in_days=21),
        "odense": recruiting_group(
            world, title="Odense-gruppen", organisation=world.org_b, starts_in_days=7
        ),
        "aalborg": recruiting_group(
            world,
            title="Aalborg-gruppen",
            organisation=venue_aalborg.organisation,
            venue=venue_aalborg,
            starts_in_days=14,
            target=Target.YOUTH,
        ),
        # Not public: running, planning, started without reopening, full, cancelled.
        "running": make_group(world, title="Kørende gruppe"),
        "planning": recruiting_group(world, title="Planlagt gruppe", status=GroupStatus.PLANNING),
        "started": make_group(world, title="Startet gruppe", status=GroupStatus.RECRUITING),
        "full": recruiting_group(world, title="Fuld gruppe", participants=4, max_participants=4),
        "cancelled": recruiting_group(world, title="Aflyst gruppe", status=GroupStatus.CANCELLED),
    }
    # A recruiting group that has started but was reopened for new people is public again.
    made["reopened"] = make_group(
        world, title="Genåbnet gruppe", status=GroupStatus.RECRUITING, participants=1
    )
    made["reopened"].reopened = True
    made["reopened"].save()
    return made


def test_finder_lists_only_recruiting_groups_that_take_new_people(
    client: Client, groups: dict[str, Any]
) -> None:
    response = client.get(FINDER)
    assert response.status_code == 200
    assert sorted(_titles(response)) == sorted(
        ["Aarhus-gruppen", "Odense-gruppen", "Aalborg-gruppen", "Genåbnet gruppe"]
    )


def test_without_a_postcode_groups_come_in_order_of_their_first_meeting(
    client: Client, groups: dict[str, Any]
) -> None:
    response = client.get(FINDER)
    # The reopened group met first two weeks ago; Odense starts in 7 days, Aalborg in 14,
    # Aarhus in 21.
    assert _titles(response) == [
        "Genåbnet gruppe",
        "Odense-gruppen",
        "Aalborg-gruppen",
        "Aarhus-gruppen",
    ]
    assert [r.has_started for r in response.context["page"].object_list] == [
        True,
        False,
        False,
        False,
    ]


@pytest.mark.parametrize(
    ("code", "nearest"),
    [("9000", "Aalborg-gruppen"), ("5000", "Odense-gruppen"), ("8000", "Aarhus-gruppen")],
)
def test_a_postcode_sorts_groups_by_distance(
    client: Client, groups: dict[str, Any], code: str, nearest: str
) -> None:
    response = client.get(FINDER, {"postcode": code})
    rows = response.context["page"].object_list
    assert rows[0].title == nearest
    assert rows[0].distance_km == 0
    distances = [row.distance_km for row in rows]
    assert distances == sorted(distances)
    assert all(isinstance(d, int) for d in distances)


def test_distances_are_whole_kilometres_between_the_postcodes(
    world: World, groups: dict[str, Any]
) -> None:
    rows = {r.title: r for r in public_groups(postcode=postcode("8000"))}
    # Aarhus C – Odense C 83.0 km, Aarhus C – Aalborg 106.3 km as the crow flies.
    assert rows["Odense-gruppen"].distance_km == 83
    assert rows["Aalborg-gruppen"].distance_km == 106


def test_an_unknown_postcode_gets_a_clear_message_and_the_list_stays(
    client: Client, groups: dict[str, Any]
) -> None:
    response = client.get(FINDER, {"postcode": "0000"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["postcode"]] == ["unknown"]
    assert response.context["postcode"] is None
    assert len(_titles(response)) == 4
    bad = client.get(FINDER, {"postcode": "80"})
    assert [e.code for e in bad.context["form"].errors.as_data()["postcode"]] == ["invalid"]


def test_unknown_postcode_message_is_in_english_for_english_visitors(
    english: Client, groups: dict[str, Any]
) -> None:
    response = english.get(FINDER, {"postcode": "0000"})
    assert "We do not know the postcode 0000" in response.content.decode()


def test_filters_narrow_the_list(client: Client, groups: dict[str, Any], world: World) -> None:
    assert _titles(client.get(FINDER, {"target": "youth"})) == ["Aalborg-gruppen"]
    assert _titles(client.get(FINDER, {"region": "1083"})) == ["Odense-gruppen"]
    odense_day = groups["odense"].weekday
    by_day = _titles(client.get(FINDER, {"weekday": str(odense_day)}))
    assert "Odense-gruppen" in by_day
    assert all(
        g.weekday == odense_day
        for g in (groups[k] for k in ("aarhus", "odense", "aalborg", "reopened"))
        if g.title in by_day
    )


def test_each_group_links_to_the_enquiry_form_with_the_group_chosen(
    client: Client, groups: dict[str, Any]
) -> None:
    html = client.get(FINDER).content.decode()
    assert f'href="{reverse("enquiries:ask")}?group={groups["aarhus"].public_id}"' in html


def _names_that_must_not_appear(world: World) -> list[str]:
    names = [
        world.facilitator_a.full_name,
        world.coordinator_a.full_name,
        world.coordinator_b.full_name,
        "Testesen",
        world.venue_a.street_address,
    ]
    for contact in Contact.objects.all():
        names += [contact.first_name, contact.email, contact.phone]
    return names


def test_no_names_of_participants_or_facilitators_in_the_page_or_the_feed(
    client: Client, groups: dict[str, Any], world: World
) -> None:
    assert Contact.objects.count() >= 8  # the seeded groups have enrolled, named people
    html = client.get(FINDER, {"postcode": "8000"}).content.decode()
    feed = client.get(FEED, {"postcode": "8000"}).content.decode()
    assert "Aarhus-gruppen" in html and "Aarhus-gruppen" in feed
    for name in _names_that_must_not_appear(world):
        assert name not in html, name
        assert name not in feed, name


def test_finder_runs_a_bounded_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        recruiting_group(world, title=f"Gruppe {n}", participants=1)
    with django_assert_max_num_queries(4):
        client.get(FINDER, {"postcode": "8000"})
    for n in range(3, 15):
        recruiting_group(world, title=f"Gruppe {n}", participants=1)
    with django_assert_max_num_queries(4):
        response = client.get(FINDER, {"postcode": "8000"})
    assert response.context["page"].paginator.count == 15


def test_selector_filters_and_skips_inactive_organisations(
    world: World, groups: dict[str, Any]
) -> None:
    assert [r.title for r in public_groups(filters=PublicGroupFilter(target="youth"))] == [
        "Aalborg-gruppen"
    ]
    Organisation.objects.filter(pk=world.org_b.pk).update(is_active=False)
    assert "Odense-gruppen" not in [r.title for r in public_groups()]


# --- The JSON feed ---------------------------------------------------------------------------


def test_feed_has_a_version_the_public_fields_and_an_open_cors_header(
    client: Client, groups: dict[str, Any]
) -> None:
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"] == 1
    assert data["postcode"] is None
    assert data["count"] == 4 == len(data["groups"])
    aarhus = next(g for g in data["groups"] if g["title"] == "Aarhus-gruppen")
    assert set(aarhus) == {
        "id",
        "title",
        "organisation",
        "target",
        "language",
        "schedule",
        "area",
        "venue",
        "ask_url",
    }
    assert aarhus["id"] == str(groups["aarhus"].public_id)
    assert aarhus["organisation"]["name"] == "Selvhjælp Aarhus"
    assert aarhus["target"]["code"] == "adults"
    assert (aarhus["target"]["age_min"], aarhus["target"]["age_max"]) == (18, None)
    assert aarhus["target"]["label"]
    assert aarhus["schedule"]["start_time"] == "00:01"
    assert aarhus["schedule"]["end_time"] == "02:01"
    assert aarhus["schedule"]["first_meeting"] == groups["aarhus"].first_date.isoformat()
    assert aarhus["area"] == {
        "municipality": "Aarhus",
        "region": "1082",
        "region_label": aarhus["area"]["region_label"],
    }
    assert set(aarhus["venue"]) == {
        "town",
        "postcode",
        "step_free_access",
        "accessible_toilet",
        "hearing_loop",
    }
    assert aarhus["ask_url"].endswith(f"/find/ask/?group={groups['aarhus'].public_id}")


def test_feed_with_a_postcode_adds_distances_nearest_first(
    client: Client, groups: dict[str, Any]
) -> None:
    data = client.get(FEED, {"postcode": "9000"}).json()
    assert data["postcode"] == {"code": "9000", "town": "Aalborg"}
    assert data["groups"][0]["title"] == "Aalborg-gruppen"
    assert [g["distance_km"] for g in data["groups"]] == sorted(
        g["distance_km"] for g in data["groups"]
    )


def test_feed_filters_by_region_and_target(client: Client, groups: dict[str, Any]) -> None:
    assert [g["title"] for g in client.get(FEED, {"region": "1081"}).json()["groups"]] == [
        "Aalborg-gruppen"
    ]
    assert [g["title"] for g in client.get(FEED, {"target": "youth"}).json()["groups"]] == [
        "Aalborg-gruppen"
    ]


def test_feed_labels_follow_the_lang_parameter(client: Client, groups: dict[str, Any]) -> None:
    english = client.get(FEED, {"lang": "en", "target": "youth"}).json()
    assert english["language"] == "en"
    assert english["groups"][0]["target"]["label"] == "Young people 16–25"
    assert english["groups"][0]["area"]["region_label"] == "North Denmark Region"
    danish = client.get(FEED, {"target": "youth"}).json()
    assert danish["language"] == "da"


def test_feed_refuses_a_bad_postcode_with_a_readable_error(
    client: Client, groups: dict[str, Any]
) -> None:
    response = client.get(FEED, {"postcode": "0000", "lang": "en"})
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["version"] == 1
    assert data["errors"]["postcode"] == [
        "We do not know the postcode 0000. Check it and try again."
    ]
    assert client.get(FEED, {"region": "9999"}).status_code == 400
