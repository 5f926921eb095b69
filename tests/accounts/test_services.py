"""Every guard of accounts.services."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.models import Organization, OrganizationInvitation, OrganizationMembership
from tests.factories import MembershipFactory, UserFactory, region


@pytest.fixture
def invitation(organization, owner):
    return services.invite_member(
        organization=organization, email="new@example.org", role="editor", invited_by=owner
    )


def test_create_organization_makes_the_creator_owner(outsider):
    organization = Organization(
        name="Test",
        legal_form="public_fund",
        registration_number="1",
        inn="01234567890123",
        registration_date="2020-01-01",
        region=region(),
        address="a",
        phone="+996 555 000000",
        email="a@example.org",
    )
    services.create_organization(user=outsider, organization=organization, people=[])
    assert OrganizationMembership.objects.get(organization=organization).user == outsider


def test_create_organization_refuses_anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.create_organization(user=AnonymousUser(), organization=Organization(), people=[])


def test_invite_member_requires_an_owner(organization, editor):
    with pytest.raises(PermissionDenied):
        services.invite_member(
            organization=organization, email="x@example.org", role="editor", invited_by=editor
        )


def test_invite_member_refuses_an_existing_member(organization, owner, editor):
    with pytest.raises(services.ServiceError):
        services.invite_member(
            organization=organization, email=editor.email.upper(), role="editor", invited_by=owner
        )


def test_invite_member_refuses_a_second_pending_invitation(organization, owner, invitation):
    with pytest.raises(services.ServiceError):
        services.invite_member(
            organization=organization, email="new@example.org", role="owner", invited_by=owner
        )


def test_accept_invitation_refuses_a_cancelled_one(invitation, owner):
    services.cancel_invitation(invitation=invitation, user=owner)
    with pytest.raises(services.ServiceError):
        services.accept_invitation(invitation=invitation, user=UserFactory(email="new@example.org"))


def test_accept_invitation_refuses_an_unconfirmed_address(invitation):
    user = UserFactory(email="new@example.org", verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    with pytest.raises(services.ServiceError):
        services.accept_invitation(invitation=invitation, user=user)


def test_accept_invitation_refuses_an_existing_member(organization, owner):
    invitation = OrganizationInvitation.objects.create(
        organization=organization, email=owner.email, invited_by=owner
    )
    with pytest.raises(services.ServiceError):
        services.accept_invitation(invitation=invitation, user=owner)


def test_cancel_invitation_requires_an_owner(invitation, editor):
    with pytest.raises(PermissionDenied):
        services.cancel_invitation(invitation=invitation, user=editor)


def test_cancel_invitation_refuses_an_accepted_one(invitation, owner):
    services.accept_invitation(invitation=invitation, user=UserFactory(email="new@example.org"))
    with pytest.raises(services.ServiceError):
        services.cancel_invitation(invitation=invitation, user=owner)


def test_remove_member_requires_an_owner(organization, owner, editor):
    with pytest.raises(PermissionDenied):
        services.remove_member(
            membership=OrganizationMembership.objects.get(user=owner), user=editor
        )


def test_remove_member_keeps_the_last_owner(organization, owner):
    with pytest.raises(services.ServiceError):
        services.remove_member(
            membership=OrganizationMembership.objects.get(user=owner), user=owner
        )


def test_an_owner_may_leave_when_another_owner_remains(organization, owner):
    MembershipFactory(organization=organization, role="owner")
    services.remove_member(membership=OrganizationMembership.objects.get(user=owner), user=owner)
    assert not OrganizationMembership.objects.filter(user=owner).exists()


def test_invitation_token_round_trips_and_rejects_forgery(invitation):
    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation
    with pytest.raises(services.ServiceError):
        services.invitation_from_token(services.invitation_token(invitation) + "x")
