"""The append-only audit log of who read or changed which personal data, when and why."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    EXPORT = "export", _("Export")


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One access to personal data: who, when, what kind of object, which fields, why.

    It stores the *names* of the fields touched, never their values, so the log itself holds
    no personal data beyond the acting staff member. Rows are append-only: the model refuses
    updates and deletes, and database triggers refuse UPDATE statements as well.
    """

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acting user"),
    )
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=60, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    fields = models.JSONField(_("fields"), default=list)
    purpose = models.CharField(_("purpose"), max_length=120)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditSealQuerySet(models.QuerySet["AuditSeal"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit seals cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit seals cannot be deleted.")


class AuditSeal(models.Model):
    """One link of the hash chain over the audit log: seal number ``sequence`` covers one event.

    ``event_hash`` is the SHA-256 of the event's canonical content, ``chain_hash`` the SHA-256 of
    the previous seal's ``chain_hash``, this ``event_hash`` and ``sequence``; changing, deleting
    or inserting an already sealed event, or re-ordering seals, breaks the chain from there on.
    Seals are written only by ``spejl.audit.chain.seal_pending`` (a cron command), never inside
    a service's transaction. Holds hashes only, no personal data. Append-only like the events:
    the model refuses changes and deletes, and database triggers refuse UPDATE and DELETE.
    """

    # Plain (untranslated) names: seals appear on no page, only in the audit commands.
    sequence = models.PositiveBigIntegerField("sequence", unique=True)
    event = models.OneToOneField(
        AuditEvent,
        on_delete=models.PROTECT,
        related_name="seal",
        verbose_name="audit event",
    )
    event_hash = models.CharField("event hash", max_length=64)
    previous_hash = models.CharField("previous hash", max_length=64)
    chain_hash = models.CharField("chain hash", max_length=64)
    sealed_at = models.DateTimeField("sealed at")

    objects = AuditSealQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        verbose_name = "audit seal"
        verbose_name_plural = "audit seals"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.chain_hash[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit seals cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit seals cannot be deleted.")


class AuditPruneQuerySet(models.QuerySet["AuditPrune"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit prune records cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit prune records cannot be deleted.")


class AuditPrune(models.Model):
    """One sanctioned removal of the oldest part of the audit log by the retention job.

    Seals 1 … ``through_sequence`` and their events were deleted in the transaction that wrote
    this row; ``chain_hash`` is the removed seal ``through_sequence``'s chain hash, the anchor
    from which ``verify_audit`` continues. Database triggers let a seal be deleted only in the
    transaction that wrote a prune record covering it (``spejl.audit.chain.audit_prune``), and
    refuse changing or deleting prune records. Holds counts, times and hashes, no personal data.
    """

    # Plain (untranslated) names, as for seals: prune records appear only in the commands.
    through_sequence = models.PositiveBigIntegerField("through sequence", unique=True)
    chain_hash = models.CharField("chain hash", max_length=64)
    previous_through = models.PositiveBigIntegerField("previous through sequence")
    cutoff = models.DateTimeField("events older than")
    events_removed = models.PositiveIntegerField("events removed")
    oldest_removed = models.DateTimeField("oldest removed event", null=True)
    newest_removed = models.DateTimeField("newest removed event", null=True)
    pruned_at = models.DateTimeField("pruned at")
    #: PostgreSQL: the writing transaction's id, set by a database trigger (the seal delete
    #: trigger compares it with the current transaction). Empty on SQLite.
    transaction_id = models.BigIntegerField("transaction id", null=True, editable=False)

    objects = AuditPruneQuerySet.as_manager()

    class Meta:
        ordering = ["through_sequence"]
        verbose_name = "audit prune"
        verbose_name_plural = "audit prunes"

    def __str__(self) -> str:
        return f"pruned through #{self.through_sequence}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit prune records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit prune records cannot be deleted.")
