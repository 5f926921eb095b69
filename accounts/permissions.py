"""Who may do what in accounts. Plain predicates; views and services both ask."""

from .models import Organization, OrganizationMembership, StateBody, StateBodyMembership


def _role_in(user, organization: Organization) -> str | None:
    if not user.is_authenticated:
        return None
    membership = (
        OrganizationMembership.objects.filter(user=user, organization=organization)
        .values_list("role", flat=True)
        .first()
    )
    return membership


def can_view_organization_workspace(user, organization: Organization) -> bool:
    """Members (owner or editor) see their organisation's private pages."""
    return _role_in(user, organization) is not None


def can_edit_organization(user, organization: Organization) -> bool:
    """Owners and editors keep the organisation profile."""
    return _role_in(user, organization) in {
        OrganizationMembership.Role.OWNER,
        OrganizationMembership.Role.EDITOR,
    }


def can_manage_members(user, organization: Organization) -> bool:
    """Only owners invite and remove members."""
    return _role_in(user, organization) == OrganizationMembership.Role.OWNER


def is_officer(user) -> bool:
    """An officer of at least one state body (granted by an administrator)."""
    return (
        user.is_authenticated
        and StateBodyMembership.objects.filter(
            user=user, role=StateBodyMembership.Role.OFFICER
        ).exists()
    )


def can_act_for_state_body(user, state_body: StateBody) -> bool:
    """Officers act for their own state body only."""
    return (
        user.is_authenticated
        and StateBodyMembership.objects.filter(
            user=user, state_body=state_body, role=StateBodyMembership.Role.OFFICER
        ).exists()
    )
