"""Staff pages: people holding roles, adding people, removing roles, resetting a second factor."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from spejl.access.actor import NotFound, get_actor
from spejl.access.decorators import staff_required
from spejl.accounts import selectors, services
from spejl.accounts.forms import StaffAddForm
from spejl.accounts.permissions import can_grant_role, can_manage_staff, can_reset_second_factor
from spejl.accounts.reauth import reauthentication_redirect
from spejl.accounts.second_factor import has_second_factor


@staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    search = request.GET.get("q", "").strip()[:100]
    rows = selectors.staff_for_actor(actor=actor, search=search)
    return render(
        request,
        "accounts/staff_list.html",
        {"rows": rows, "search": search, "can_add": can_manage_staff(actor)},
    )


@staff_required
def staff_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = get_actor(request)
    row = selectors.staff_member_get_for_actor(actor=actor, public_id=person_id)
    removable = {
        m.public_id for m in row.memberships if can_grant_role(actor, m.role, m.organisation)
    }
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "row": row,
            "removable": removable,
            "can_reset_second_factor": can_reset_second_factor(actor, row.user),
            "has_second_factor": has_second_factor(row.user),
        },
    )


@staff_required
def staff_add(request: HttpRequest) -> HttpResponse:
    actor = get_actor(request)
    if not can_manage_staff(actor):
        raise NotFound
    form = StaffAddForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.staff_member_add(
                actor=actor,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The role was given."))
            return redirect("accounts:staff_detail", person_id=membership.user.public_id)
    return render(request, "accounts/staff_add.html", {"form": form})


@staff_required
def membership_remove(request: HttpRequest, person_id: str, membership_id: str) -> HttpResponse:
    actor = get_actor(request)
    row = selectors.staff_member_get_for_actor(actor=actor, public_id=person_id)
    membership = selectors.membership_get_for_actor(
        actor=actor, user=row.user, public_id=membership_id
    )
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(actor=actor, membership=membership)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The role was removed."))
            return redirect("accounts:staff_list")
    elif not can_grant_role(actor, membership.role, membership.organisation):
        raise NotFound
    return render(
        request,
        "accounts/membership_remove.html",
        {"row": row, "membership": membership, "error": error},
    )


@staff_required
@require_POST
def second_factor_reset(request: HttpRequest, person_id: str) -> HttpResponse:
    """Reset a colleague's second factor (POST from their staff page)."""
    actor = get_actor(request)
    row = selectors.staff_member_get_for_actor(actor=actor, public_id=person_id)
    if not can_reset_second_factor(actor, row.user):
        raise NotFound
    # Checked after the person is found, so that people one may not see stay a 404.
    confirm = reauthentication_redirect(request)
    if confirm is not None:
        return confirm
    services.second_factor_reset(actor=actor, user=row.user)
    messages.success(
        request,
        _("The second factor was reset. At the next login the person sets up a new one."),
    )
    return redirect("accounts:staff_detail", person_id=row.user.public_id)
