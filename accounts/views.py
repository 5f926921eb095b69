from allauth.account.views import ConfirmEmailView as AllauthConfirmEmailView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from . import permissions, services
from .forms import (
    InvitationForm,
    OrganizationForm,
    OrganizationPersonFormSet,
    ProfileForm,
    RemindersForm,
)
from .models import (
    Organization,
    OrganizationInvitation,
    StateBody,
)


def _get_organization_for_member(request, pk) -> Organization:
    """The organisation if the user is its member; 404 for everyone else."""
    organization = get_object_or_404(Organization.objects.select_related("region"), pk=pk)
    if not permissions.can_view_organization_workspace(request.user, organization):
        raise Http404
    return organization


def _get_organization_for_owner(request, pk) -> Organization:
    """As above, and 403 for members who are not owners."""
    organization = _get_organization_for_member(request, pk)
    if not permissions.can_manage_members(request.user, organization):
        raise PermissionDenied
    return organization


@require_GET
def home(request):
    return TemplateResponse(request, "home.html")


@require_POST
def set_language(request):
    """Django's language switch, remembered on the profile of a signed-in user."""
    response = django_set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


class ConfirmEmailView(AllauthConfirmEmailView):
    """django-allauth's confirmation page; a forged or expired link answers 404."""

    def get(self, *args, **kwargs):
        response = super().get(*args, **kwargs)
        if self.object is None:
            response.status_code = 404
        return response


confirm_email = ConfirmEmailView.as_view()


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The user's details and, in a form of its own, the reminders they receive."""
    posted = request.POST if request.method == "POST" else None
    # The reminders form says which one was submitted; the details form is the default.
    saving_reminders = posted is not None and posted.get("form") == "reminders"
    form = ProfileForm(None if saving_reminders else posted, instance=request.user)
    reminders_form = RemindersForm(posted if saving_reminders else None, user=request.user)
    if saving_reminders and reminders_form.is_valid():
        reminders_form.save()
        messages.success(request, _("Your reminder settings were saved."))
        return redirect("accounts:profile")
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    memberships = request.user.organization_memberships.select_related("organization")
    officer_of = request.user.state_body_memberships.select_related("state_body")
    return TemplateResponse(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "reminders_form": reminders_form,
            "memberships": memberships,
            "officer_of": officer_of,
        },
    )


@login_required
@require_GET
def organization_list(request):
    memberships = request.user.organization_memberships.select_related(
        "organization__region"
    ).order_by("organization__name")
    return TemplateResponse(
        request, "accounts/organization_list.html", {"memberships": memberships}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request):
    form = OrganizationForm(request.POST if request.method == "POST" else None)
    formset = OrganizationPersonFormSet(
        request.POST if request.method == "POST" else None, prefix="people"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        people = [
            person_form.save(commit=False)
            for person_form in formset.forms
            if person_form.has_changed() and not person_form.cleaned_data.get("DELETE")
        ]
        organization = services.create_organization(
            user=request.user, organization=form.save(commit=False), people=people
        )
        messages.success(request, _("The organisation was created. You are its owner."))
        return redirect("accounts:organization-detail", pk=organization.pk)
    return TemplateResponse(
        request, "accounts/organization_form.html", {"form": form, "formset": formset}
    )


@login_required
@require_GET
def organization_detail(request, pk):
    organization = _get_organization_for_member(request, pk)
    return TemplateResponse(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "people": organization.people.all(),
            "can_edit": permissions.can_edit_organization(request.user, organization),
            "can_manage": permissions.can_manage_members(request.user, organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request, pk):
    organization = _get_organization_for_member(request, pk)
    if not permissions.can_edit_organization(request.user, organization):
        raise PermissionDenied
    form = OrganizationForm(
        request.POST if request.method == "POST" else None, instance=organization
    )
    formset = OrganizationPersonFormSet(
        request.POST if request.method == "POST" else None, instance=organization, prefix="people"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            form.save()
            formset.save()
        messages.success(request, _("The organisation profile was saved."))
        return redirect("accounts:organization-detail", pk=organization.pk)
    return TemplateResponse(
        request,
        "accounts/organization_form.html",
        {"form": form, "formset": formset, "organization": organization},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_members(request, pk):
    organization = _get_organization_for_owner(request, pk)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(
                organization=organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                request=request,
            )
        except services.ServiceError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:organization-members", pk=organization.pk)
    return TemplateResponse(
        request,
        "accounts/organization_members.html",
        {
            "organization": organization,
            "form": form,
            "memberships": organization.memberships.select_related("user"),
            "invitations": organization.invitations.filter(
                status=OrganizationInvitation.Status.PENDING
            ).select_related("invited_by"),
        },
    )


@login_required
@require_POST
def invitation_cancel(request, pk, invitation_pk):
    organization = _get_organization_for_owner(request, pk)
    invitation = get_object_or_404(organization.invitations, pk=invitation_pk)
    try:
        services.cancel_invitation(invitation=invitation, user=request.user)
    except services.ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation was cancelled."))
    return redirect("accounts:organization-members", pk=organization.pk)


@login_required
@require_POST
def member_remove(request, pk, membership_pk):
    organization = _get_organization_for_owner(request, pk)
    membership = get_object_or_404(organization.memberships, pk=membership_pk)
    try:
        services.remove_member(membership=membership, user=request.user)
    except services.ServiceError as error:
        messages.error(request, error.message)
        return redirect("accounts:organization-members", pk=organization.pk)
    messages.success(request, _("The member was removed."))
    if membership.user_id == request.user.pk:
        return redirect("accounts:organization-list")
    return redirect("accounts:organization-members", pk=organization.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.ServiceError as error:
        return TemplateResponse(
            request, "accounts/invitation_accept.html", {"error": error.message}, status=404
        )
    error = None
    if request.method == "POST":
        try:
            services.accept_invitation(invitation=invitation, user=request.user)
        except services.ServiceError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("You joined %(organization)s.") % {"organization": invitation.organization},
            )
            return redirect("accounts:organization-detail", pk=invitation.organization_id)
    return TemplateResponse(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def officer_workspace(request):
    if not permissions.is_officer(request.user):
        raise PermissionDenied
    state_bodies = (
        StateBody.objects.filter(memberships__user=request.user)
        .select_related("region", "parent")
        .order_by("name")
    )
    return TemplateResponse(
        request, "accounts/officer_workspace.html", {"state_bodies": state_bodies}
    )
