"""State changes of accounts: organisations, memberships and invitations."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from socialorder.emails import send_templated_email

from . import permissions
from .models import Organization, OrganizationInvitation, OrganizationMembership, User

INVITATION_SALT = "accounts.invitation"


class ServiceError(ValidationError):
    """A guard of a service refused the change; the message is for the user."""


@transaction.atomic
def create_organization(*, user: User, organization: Organization, people) -> Organization:
    """Save a new organisation with its founders and leaders; its creator becomes owner."""
    if not user.is_authenticated:
        raise PermissionDenied
    organization.created_by = user
    organization.full_clean()
    organization.save()
    for person in people:
        person.organization = organization
        person.save()
    OrganizationMembership.objects.create(
        user=user, organization=organization, role=OrganizationMembership.Role.OWNER
    )
    return organization


def invitation_token(invitation: OrganizationInvitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> OrganizationInvitation:
    """The invitation a signed link names; ``ServiceError`` if forged or expired."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ServiceError(_("This invitation link has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise ServiceError(_("This invitation link is not valid.")) from None
    invitation = OrganizationInvitation.objects.select_related("organization").filter(pk=pk).first()
    if invitation is None:
        raise ServiceError(_("This invitation link is not valid."))
    return invitation


@transaction.atomic
def invite_member(
    *, organization: Organization, email: str, role: str, invited_by: User, request=None
) -> OrganizationInvitation:
    """Invite someone by e-mail to act for the organisation."""
    if not permissions.can_manage_members(invited_by, organization):
        raise PermissionDenied
    # Lock the organisation so that a double submit cannot invite the same address twice.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    email = email.strip()
    if organization.memberships.filter(user__email__iexact=email).exists():
        raise ServiceError(_("This person is already a member of the organisation."))
    if organization.invitations.filter(
        email__iexact=email, status=OrganizationInvitation.Status.PENDING
    ).exists():
        raise ServiceError(_("An invitation to this e-mail address is already pending."))
    invitation = OrganizationInvitation.objects.create(
        organization=organization, email=email, role=role, invited_by=invited_by
    )
    invitee = User.objects.filter(email__iexact=email).first()
    language = invitee.language if invitee else get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("accounts:invitation-accept", kwargs={"token": invitation_token(invitation)})
    accept_url = request.build_absolute_uri(path) if request else settings.SITE_URL + path
    send_templated_email(
        to=email,
        template="emails/accounts/invitation",
        context={
            "organization": organization,
            "inviter": invited_by,
            "role": invitation.get_role_display(),
            "accept_url": accept_url,
            "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
        },
        language=language,
    )
    return invitation


def _guard_transition(invitation: OrganizationInvitation, to: str) -> None:
    if to not in OrganizationInvitation.TRANSITIONS[invitation.status]:
        raise ServiceError(
            _("This invitation is %(status)s and can no longer be used.")
            % {"status": invitation.get_status_display()}
        )


@transaction.atomic
def accept_invitation(*, invitation: OrganizationInvitation, user: User) -> OrganizationMembership:
    """The invitee, signed in with the invited and confirmed address, joins."""
    invitation = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
    _guard_transition(invitation, OrganizationInvitation.Status.ACCEPTED)
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise ServiceError(
            _("This invitation was sent to %(email)s. Sign in with that confirmed address.")
            % {"email": invitation.email}
        )
    if invitation.organization.memberships.filter(user=user).exists():
        raise ServiceError(_("You are already a member of this organisation."))
    membership = OrganizationMembership.objects.create(
        user=user, organization=invitation.organization, role=invitation.role
    )
    invitation.status = OrganizationInvitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "decided_at"])
    return membership


@transaction.atomic
def cancel_invitation(*, invitation: OrganizationInvitation, user: User) -> None:
    """An owner withdraws a pending invitation."""
    if not permissions.can_manage_members(user, invitation.organization):
        raise PermissionDenied
    invitation = OrganizationInvitation.objects.select_for_update().get(pk=invitation.pk)
    _guard_transition(invitation, OrganizationInvitation.Status.CANCELLED)
    invitation.status = OrganizationInvitation.Status.CANCELLED
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])


@transaction.atomic
def remove_member(*, membership: OrganizationMembership, user: User) -> None:
    """An owner removes a member; the last owner cannot be removed."""
    organization = membership.organization
    if not permissions.can_manage_members(user, organization):
        raise PermissionDenied
    owners = list(
        organization.memberships.select_for_update()
        .filter(role=OrganizationMembership.Role.OWNER)
        .values_list("pk", flat=True)
    )
    if membership.role == OrganizationMembership.Role.OWNER and len(owners) <= 1:
        raise ServiceError(_("An organisation must keep at least one owner."))
    membership.delete()
