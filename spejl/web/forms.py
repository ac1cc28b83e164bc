"""Form helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def attach_service_errors(
    form: forms.BaseForm, error: ValidationError, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: next to the fields it names (renamed by
    ``field_map`` where the form calls a model field differently), and at the top of the form
    for the rest. The form keeps everything the person typed."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            field = (field_map or {}).get(name, name)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
