"""Model fields whose values are encrypted at rest (AES-256-GCM, ``spejl.core.fieldcrypto``).

``EncryptedTextField`` stores an envelope (``"sp1:<key id>:…"``) in a text column and gives the
plaintext back on every read, so models, forms, templates and selectors use it like any text
field. What it cannot do is be searched or sorted by the database — the database only sees
ciphertext:

- every lookup but ``isnull`` raises :class:`EncryptedFieldLookupError` (filter through a
  keyed-hash column such as ``Enquiry.contact_fingerprint`` instead, or filter in Python among
  rows already scoped to the actor);
- ordering by it sorts ciphertext, i.e. randomly: sort in Python
  (``spejl.web.text.danish_sort_key``). A system check refuses it in ``Meta.ordering``.

An empty value is stored as the empty string, unencrypted: that a field is blank is visible in a
dump (its length would show it anyway). The data migrations that turn existing plaintext into
envelopes use :func:`encrypt_columns`. Touches the personal data of the fields that use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django import forms
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.core import checks, validators
from django.core.exceptions import FieldError
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from spejl.core import fieldcrypto
from spejl.web.keys import field_keyring


class EncryptedFieldLookupError(FieldError):
    """Code asked the database to compare or transform an encrypted field."""


if TYPE_CHECKING:
    _TextField = models.TextField[str | None, str]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """Text kept encrypted in the database and plaintext in Python.

    ``max_length`` limits the plaintext (forms and model validation); the column is
    unbounded text because an envelope is longer. ``multiline`` picks a textarea in forms.
    """

    description = "Text encrypted at rest"

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.multiline:
            kwargs["multiline"] = True
        return name, path, args, kwargs

    @property
    def place(self) -> str:
        """The column's name as bound into each ciphertext: ``"table.column"``."""
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return fieldcrypto.decrypt(value, keyring=field_keyring(), place=self.place)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return fieldcrypto.encrypt(str(value), keyring=field_keyring(), place=self.place)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise EncryptedFieldLookupError(
                f"{self.model._meta.label}.{self.name} is encrypted at rest: the database cannot "
                f"compare it ('{lookup_name}'). Match a keyed-hash column, or filter in Python "
                "among rows already scoped to the actor (docs/security.md)."
            )
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise EncryptedFieldLookupError(
            f"{self.model._meta.label}.{self.name} is encrypted at rest: the database cannot "
            f"apply '{lookup_name}' to it (docs/security.md)."
        )

    def formfield(self, **kwargs: Any) -> Any:
        if not self.multiline:
            kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = list(super().check(**kwargs))
        ordering = self.model._meta.ordering or ()
        if self.name in {name.lstrip("-") for name in ordering if isinstance(name, str)}:
            errors.append(
                checks.Error(
                    f"{self.model._meta.label} is ordered by the encrypted field {self.name}.",
                    hint="The database sees only ciphertext: sort in Python.",
                    obj=self,
                    id="spejl.E110",
                )
            )
        return errors


class EncryptedEmailField(EncryptedTextField):
    """An e-mail address encrypted at rest, validated as an e-mail address."""

    default_validators = [validators.validate_email]
    description = "E-mail address encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 254)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.EmailField, **kwargs})


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted field of every installed model (for key rotation and tests)."""
    for model in global_apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                yield model, field


# --- Data migrations ---------------------------------------------------------------------------


def _convert(
    schema_editor: BaseDatabaseSchemaEditor,
    model: type[models.Model],
    columns: list[str],
    *,
    encrypting: bool,
) -> None:
    """Encrypt (or decrypt) each non-empty value of ``columns`` in place, with raw SQL so the
    historical field's own conversion does not get in the way; conditional updates, so a row
    changed meanwhile is left alone rather than overwritten."""
    keyring = field_keyring()
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    table = model._meta.db_table
    assert model._meta.pk is not None
    pk = str(model._meta.pk.column)
    for column in columns:
        column = str(model._meta.get_field(column).column)  # type: ignore[union-attr]
        place = f"{table}.{column}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} "  # noqa: S608  # nosec B608
                f"WHERE {quote(column)} <> '' ORDER BY {quote(pk)}"
            )
            rows = cursor.fetchall()
        with connection.cursor() as cursor:
            for row_id, value in rows:
                if encrypting:
                    if fieldcrypto.is_envelope(value):
                        continue
                    new = fieldcrypto.encrypt(value, keyring=keyring, place=place)
                else:
                    if not fieldcrypto.is_envelope(value):
                        continue
                    new = fieldcrypto.decrypt(value, keyring=keyring, place=place)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608  # nosec B608
                    f"WHERE {quote(pk)} = %s AND {quote(column)} = %s",
                    [new, row_id, value],
                )
    if connection.vendor == "postgresql":
        # Updated rows leave deferred foreign-key checks pending, and PostgreSQL refuses to
        # ALTER a table with pending trigger events (the reverse migration alters next).
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def encrypt_columns(model_label: str, *columns: str) -> migrations.RunPython:
    """A migration step encrypting the plaintext already in ``columns`` (reversible)."""

    def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _convert(schema_editor, apps.get_model(model_label), list(columns), encrypting=True)

    def backward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _convert(schema_editor, apps.get_model(model_label), list(columns), encrypting=False)

    return migrations.RunPython(forward, backward, elidable=False)
