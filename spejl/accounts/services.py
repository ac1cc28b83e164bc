"""Adding staff members and changing their roles. Audited writes of staff personal data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from spejl.access.actor import Actor
from spejl.accounts.invitations import send_invitation
from spejl.accounts.models import Membership, Role, User
from spejl.accounts.permissions import can_reset_second_factor, check_can_grant_role
from spejl.audit.models import AuditAction
from spejl.audit.services import audit_record
from spejl.organisations.models import Organisation


@transaction.atomic
def staff_member_add(
    *,
    actor: Actor,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation | None,
    request: HttpRequest | None = None,
) -> Membership:
    """Give a person a role; create their account first if they have none.

    New accounts get an invitation e-mail with a link to choose a password. Only national
    admins grant national roles; coordinators grant roles in their own organisations.
    Writes the staff member's name and e-mail (audited).
    """
    if role not in Role.values:
        raise ValidationError(_("Choose a role."))
    if role in (Role.NATIONAL_ADMIN, Role.EVALUATOR):
        organisation = None
    elif organisation is None:
        raise ValidationError(_("Choose the organisation the role is held in."))
    check_can_grant_role(actor, role, organisation)

    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name.strip())
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=user,
            organisation=organisation,
            fields=("full_name", "email"),
            purpose="add staff member",
        )
    if Membership.objects.filter(user=user, role=role, organisation=organisation).exists():
        raise ValidationError(_("This person already has that role."))
    membership = Membership.objects.create(user=user, role=role, organisation=organisation)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=membership,
        organisation=organisation,
        fields=("role",),
        purpose="grant role",
    )
    if created:
        transaction.on_commit(lambda: send_invitation(user=user, request=request))
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership) -> None:
    """Take a role away. The last national admin cannot be removed (someone must be able to
    administer Spejl)."""
    check_can_grant_role(actor, membership.role, membership.organisation)
    if (
        membership.role == Role.NATIONAL_ADMIN
        and Membership.objects.filter(role=Role.NATIONAL_ADMIN).count() <= 1
    ):
        raise ValidationError(_("Spejl needs at least one national admin."))
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=membership,
        organisation=membership.organisation,
        fields=("role",),
        purpose="remove role",
    )
    membership.delete()


@transaction.atomic
def second_factor_reset(*, actor: Actor, user: User) -> int:
    """Remove every second factor (authenticator app, passkeys, recovery codes) of a colleague
    who lost them, so that their next login enrols new ones. Returns how many were removed.

    Only after checking who is asking, out of band (docs/login.md). Scoped like role changes
    (:func:`~spejl.accounts.permissions.can_reset_second_factor`); audited. Touches the
    staff member's login factors, not their name or e-mail.
    """
    from allauth.mfa.models import Authenticator

    if not can_reset_second_factor(actor, user):
        raise PermissionDenied
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    removed, _by_model = Authenticator.objects.filter(user=user).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=user,
        organisation=membership.organisation if membership else None,
        fields=("second_factor",),
        purpose="reset second factor",
    )
    return int(removed)
