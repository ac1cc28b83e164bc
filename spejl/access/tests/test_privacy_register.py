"""The register of personal data must decide every field of every model, and the document must
show it as it is now."""

from __future__ import annotations

from spejl.access.privacy import (
    NOT_PERSONAL,
    REGISTER,
    STAFF_USER,
    FieldFacts,
    fields_needing_review,
    model_fields_needing_review,
    spejl_model_fields,
    stale_entries,
)


def test_every_model_field_is_decided_personal_or_not() -> None:
    # When this fails, a model gained a field: add it to REGISTER (personal data, with purpose,
    # legal basis, who sees it and retention) or to NOT_PERSONAL with the reason, in
    # spejl/access/privacy.py, then run: manage.py privacy_register --write
    assert model_fields_needing_review() == []


def test_register_names_only_existing_fields() -> None:
    assert stale_entries() == []


def test_no_field_is_both_personal_and_not_personal() -> None:
    assert set(REGISTER) & set(NOT_PERSONAL) == set()


def test_walker_sees_the_personal_fields_of_spejl_models() -> None:
    keys = {f.key for f in spejl_model_fields()}
    assert {"participants.Contact.phone", "questionnaires.Answer.value"} <= keys
    # Django's own apps are not walked (only spejl.*).
    assert not any(key.startswith(("auth.", "sessions.")) for key in keys)


def test_a_new_personal_field_is_caught() -> None:
    fields = [
        FieldFacts("participants.Contact", "phone"),
        FieldFacts("participants.Contact", "id"),
        FieldFacts("participants.Contact", "created_at"),
        FieldFacts("participants.Contact", "national_id_number"),
        FieldFacts("groups.Meeting", "room_note"),  # reference model: decided by rule
    ]
    assert fields_needing_review(fields) == ["participants.Contact.national_id_number"]


def test_a_new_link_to_a_staff_account_is_caught_even_on_reference_models() -> None:
    fields = [
        FieldFacts("groups.Meeting", "cancelled_by", related_model=STAFF_USER),
        FieldFacts("groups.Meeting", "venue", related_model="organisations.Venue"),
    ]
    assert fields_needing_review(fields) == ["groups.Meeting.cancelled_by"]


def test_a_new_model_is_caught_field_by_field() -> None:
    fields = [
        FieldFacts("participants.HealthNote", "id"),
        FieldFacts("participants.HealthNote", "participant", "participants.Participant"),
        FieldFacts("participants.HealthNote", "diagnosis"),
    ]
    assert fields_needing_review(fields) == ["participants.HealthNote.diagnosis"]


def test_docs_privacy_md_shows_the_current_register() -> None:
    from spejl.web.management.commands.privacy_register import BEGIN, DOC, document_with_register

    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text
    assert text == document_with_register(text), "run: manage.py privacy_register --write"
