"""SMS backends: files in development, a masked console, the in-memory outbox, the setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from spejl.notifications import sms
from spejl.notifications.sms import (
    ConsoleSmsBackend,
    DisabledSmsBackend,
    FileSmsBackend,
    LocmemSmsBackend,
    SmsError,
    SmsNotConfigured,
    get_sms_backend,
    mask_phone,
)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+45 12 34 56 78", "+** ** ** ** 78"),
        ("12345678", "******78"),
        ("7", "7"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_only_the_last_two_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_console_backend_masks_the_phone_number(capsys: pytest.CaptureFixture[str]) -> None:
    message_id = ConsoleSmsBackend().send("+45 12 34 56 78", "Mødet er flyttet.")
    out = capsys.readouterr().out
    assert "+** ** ** ** 78" in out
    assert "12 34 56" not in out
    assert "Mødet er flyttet." in out
    assert message_id in out


def test_file_backend_writes_one_file_per_message(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    backend = FileSmsBackend()
    first = backend.send("+45 12 34 56 78", "Første besked")
    second = backend.send("+45 12 34 56 78", "Anden besked")
    files = sorted((tmp_path / "sms").iterdir())
    assert len(files) == 2
    contents = {path.read_text(encoding="utf-8") for path in files}
    assert any(first in text and "Første besked" in text for text in contents)
    assert any(second in text and "Anden besked" in text for text in contents)
    assert all(text.startswith("To: +45 12 34 56 78\n") for text in contents)
    assert all(path.stat().st_mode & 0o077 == 0 for path in files)


def test_file_backend_reports_an_unwritable_folder(settings: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.VAR_DIR = blocker
    with pytest.raises(SmsError):
        FileSmsBackend().send("12345678", "Hej")


def test_locmem_backend_appends_to_the_outbox(sms_outbox: list[sms.SmsMessage]) -> None:
    message_id = LocmemSmsBackend().send("12345678", "Hej")
    assert [(m.to, m.body, m.message_id) for m in sms.outbox] == [("12345678", "Hej", message_id)]
    assert sms_outbox is sms.outbox


def test_disabled_backend_refuses_as_not_configured() -> None:
    with pytest.raises(SmsNotConfigured, match="SMS is not configured"):
        DisabledSmsBackend().send("12345678", "Hej")


def test_get_sms_backend_follows_the_setting(settings: Any) -> None:
    assert isinstance(get_sms_backend(), LocmemSmsBackend)
    settings.SPEJL_SMS_BACKEND = "spejl.notifications.sms.ConsoleSmsBackend"
    assert isinstance(get_sms_backend(), ConsoleSmsBackend)
    settings.SPEJL_SMS_BACKEND = "spejl.notifications.sms.NoSuchBackend"
    with pytest.raises(ImproperlyConfigured):
        get_sms_backend()
    settings.SPEJL_SMS_BACKEND = "spejl.notifications.sms.SmsMessage"
    with pytest.raises(ImproperlyConfigured):
        get_sms_backend()
