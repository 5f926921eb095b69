import re

import pytest
from django.core import mail
from django.utils import translation

from accounts.models import OrganizationInvitation, OrganizationMembership
from accounts.services import invitation_token
from tests.factories import MembershipFactory, UserFactory


def members(organization):
    return f"/ky/organizations/{organization.pk}/members/"


@pytest.fixture
def invitation(organization, owner):
    return OrganizationInvitation.objects.create(
        organization=organization, email="new@example.org", role="editor", invited_by=owner
    )


# Members page and invitations


def test_owner_invites_by_email_in_the_invitees_language(
    client, owner, organization, django_capture_on_commit_callbacks
):
    UserFactory(email="new@example.org", language="ru")
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            members(organization), {"email": "new@example.org", "role": "editor"}
        )

    assert response.status_code == 302
    invitation = OrganizationInvitation.objects.get(email="new@example.org")
    assert (invitation.status, invitation.role, invitation.invited_by) == (
        "pending",
        "editor",
        owner,
    )
    [message] = mail.outbox
    assert message.to == ["new@example.org"]
    assert organization.name in message.subject
    with translation.override("ru"):
        assert (
            translation.gettext("To accept, sign in with this e-mail address and open this link:")
            in message.body
        )
    assert re.search(r"http://testserver/ru/invitations/[^/\s]+/", message.body)


def test_owner_sees_members_and_pending_invitations(
    client, owner, editor, organization, invitation
):
    client.force_login(owner)
    content = client.get(members(organization)).content.decode()
    assert editor.email in content
    assert "new@example.org" in content


def test_editor_gets_403_on_the_members_page(client, editor, organization):
    client.force_login(editor)
    assert client.get(members(organization)).status_code == 403
    assert (
        client.post(members(organization), {"email": "x@example.org", "role": "owner"}).status_code
        == 403
    )
    assert not OrganizationInvitation.objects.exists()


def test_outsider_gets_404_on_the_members_page(client, outsider, organization):
    client.force_login(outsider)
    assert client.get(members(organization)).status_code == 404


def test_members_page_requires_sign_in(client, organization):
    assert client.get(members(organization)).status_code == 302


def test_members_page_refuses_other_methods(client, owner, organization):
    client.force_login(owner)
    assert client.put(members(organization)).status_code == 405


def test_invitation_with_a_bad_address_is_refused(client, owner, organization):
    client.force_login(owner)
    response = client.post(members(organization), {"email": "not-an-address", "role": "editor"})
    assert response.status_code == 400
    assert not OrganizationInvitation.objects.exists()


def test_second_pending_invitation_is_refused(client, owner, organization, invitation):
    client.force_login(owner)
    response = client.post(members(organization), {"email": "NEW@example.org", "role": "editor"})
    assert response.status_code == 400
    with translation.override("ky"):
        message = translation.gettext("An invitation to this e-mail address is already pending.")
    assert message in response.content.decode()
    assert OrganizationInvitation.objects.count() == 1


def test_inviting_a_member_is_refused(client, owner, editor, organization):
    client.force_login(owner)
    response = client.post(members(organization), {"email": editor.email, "role": "editor"})
    assert response.status_code == 400
    assert not OrganizationInvitation.objects.exists()


def test_owner_cancels_an_invitation(client, owner, organization, invitation):
    client.force_login(owner)
    url = f"{members(organization).replace('members/', '')}invitations/{invitation.pk}/cancel/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "cancelled"


def test_editor_cannot_cancel_an_invitation(client, editor, organization, invitation):
    client.force_login(editor)
    url = f"/ky/organizations/{organization.pk}/invitations/{invitation.pk}/cancel/"
    assert client.post(url).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_owner_removes_an_editor(client, owner, editor, organization):
    client.force_login(owner)
    membership = OrganizationMembership.objects.get(user=editor)
    url = f"/ky/organizations/{organization.pk}/members/{membership.pk}/remove/"
    assert client.post(url).status_code == 302
    assert not OrganizationMembership.objects.filter(pk=membership.pk).exists()


def test_last_owner_cannot_be_removed(client, owner, organization):
    client.force_login(owner)
    membership = OrganizationMembership.objects.get(user=owner)
    url = f"/ky/organizations/{organization.pk}/members/{membership.pk}/remove/"
    response = client.post(url, follow=True)
    with translation.override("ky"):
        assert (
            translation.gettext("An organisation must keep at least one owner.")
            in response.content.decode()
        )
    assert OrganizationMembership.objects.filter(pk=membership.pk).exists()


def test_member_of_another_organization_cannot_be_removed_through_mine(client, owner, organization):
    stranger = MembershipFactory()
    client.force_login(owner)
    url = f"/ky/organizations/{organization.pk}/members/{stranger.pk}/remove/"
    assert client.post(url).status_code == 404
    assert OrganizationMembership.objects.filter(pk=stranger.pk).exists()


# Accepting


def accept_url(invitation, language="ky"):
    return f"/{language}/invitations/{invitation_token(invitation)}/"


def test_invitee_accepts_with_the_invited_address(client, invitation, organization):
    invitee = UserFactory(email="New@Example.org")
    client.force_login(invitee)
    assert client.get(accept_url(invitation)).status_code == 200
    response = client.post(accept_url(invitation))
    assert response.status_code == 302
    assert (
        OrganizationMembership.objects.get(user=invitee, organization=organization).role == "editor"
    )
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == ("accepted", invitee)


def test_someone_else_cannot_accept(client, invitation, outsider):
    client.force_login(outsider)
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert not OrganizationMembership.objects.filter(user=outsider).exists()


def test_accepting_twice_is_refused(client, invitation):
    invitee = UserFactory(email="new@example.org")
    client.force_login(invitee)
    client.post(accept_url(invitation))
    response = client.post(accept_url(invitation))
    assert response.status_code == 400
    assert OrganizationMembership.objects.filter(user=invitee).count() == 1


@pytest.mark.parametrize("language", ["ky", "ru"])
def test_forged_invitation_link_answers_404_in_the_users_language(client, outsider, language):
    client.force_login(outsider)
    response = client.get(f"/{language}/invitations/forged:token/")
    assert response.status_code == 404
    with translation.override(language):
        assert (
            translation.gettext("This invitation link is not valid.") in response.content.decode()
        )


def test_expired_invitation_link_answers_404(client, invitation, settings):
    invitee = UserFactory(email="new@example.org")
    client.force_login(invitee)
    url = accept_url(invitation)
    settings.INVITATION_MAX_AGE_DAYS = -1
    assert client.post(url).status_code == 404
    assert not OrganizationMembership.objects.filter(user=invitee).exists()


def test_accepting_requires_sign_in(client, invitation):
    response = client.get(accept_url(invitation))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_accept_refuses_other_methods(client, invitation, outsider):
    client.force_login(outsider)
    assert client.put(accept_url(invitation)).status_code == 405
