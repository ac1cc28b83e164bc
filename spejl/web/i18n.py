"""Picking the Danish or English version of text stored in both (course plans, consent texts,
meeting themes, questionnaire wording)."""

from __future__ import annotations

from django.utils.translation import get_language


def in_current_language(danish: str, english: str) -> str:
    """The English text when English is active (and not empty), otherwise the Danish."""
    if (get_language() or "da").startswith("en") and english:
        return english
    return danish
