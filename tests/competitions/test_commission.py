"""The competition commission: officers appoint and remove; members see their seats."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from competitions.models import CommissionMember
from tests.factories import UserFactory

from .factories import CommissionMemberFactory, CompetitionFactory
from .helpers import text, tr

MY_COMMISSIONS = "/ky/commissions/"


def commission(competition):
    return f"/ky/officer/competitions/{competition.reference}/commission/"


def remove(member):
    return f"{commission(member.competition)}{member.pk}/remove/"


def appoint(client, competition, email, role="member", voting="on", full_name="Токтогулов Марат"):
    data = {"email": email, "full_name": full_name, "role": role}
    if voting:
        data["voting"] = voting
    return client.post(commission(competition), data)


def test_officer_appoints_an_existing_user_who_is_linked_and_emailed(
    client, officer, published, django_capture_on_commit_callbacks
):
    expert = UserFactory(email="expert@example.org", language="ru")
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = appoint(client, published, "Expert@example.org", role="expert")
    assert response.status_code == 302
    assert response["Location"] == commission(published)
    member = CommissionMember.objects.get()
    assert (member.user, member.role, member.voting, member.appointed_by) == (
        expert,
        "expert",
        True,
        officer,
    )
    [message] = mail.outbox
    assert message.to == ["Expert@example.org"]
    assert published.reference in message.subject
    assert "/ru/commissions/" in message.body


def test_an_unknown_address_is_invited_and_linked_after_sign_up(
    client, officer, published, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        appoint(client, published, "newcomer@example.org", full_name="Жаңы Эксперт")
    member = CommissionMember.objects.get()
    assert member.user is None
    [message] = mail.outbox
    assert message.to == ["newcomer@example.org"]
    assert "/accounts/signup/" in message.body

    # The person signs up with that address and confirms it.
    newcomer = UserFactory(email="NewComer@example.org")
    client.force_login(newcomer)
    response = client.get(MY_COMMISSIONS)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.user == newcomer
    assert published.title_ky in text(response)


def test_the_officer_sees_the_commission(client, officer, published):
    member = CommissionMemberFactory(competition=published, user=None, email="x@example.org")
    client.force_login(officer)
    response = client.get(commission(published))
    assert response.status_code == 200
    page = text(response)
    assert member.full_name in page
    assert member.email in page
    assert tr("invited") in page


def test_a_duplicate_address_is_refused(client, officer, published):
    CommissionMemberFactory(competition=published, email="expert@example.org", user=None)
    client.force_login(officer)
    response = appoint(client, published, "EXPERT@example.org")
    assert response.status_code == 400
    assert tr("This person is already on the commission.") in text(response)
    assert CommissionMember.objects.count() == 1


def test_a_bad_address_is_refused(client, officer, published):
    client.force_login(officer)
    response = appoint(client, published, "not-an-address")
    assert response.status_code == 400
    assert tr("Enter a valid email address.") in text(response)
    assert not CommissionMember.objects.exists()


def test_an_observer_never_votes(client, officer, published):
    client.force_login(officer)
    appoint(client, published, "observer@example.org", role="observer", voting="on")
    assert CommissionMember.objects.get().voting is False


def test_a_member_may_be_appointed_without_a_vote(client, officer, published):
    client.force_login(officer)
    appoint(client, published, "advisor@example.org", role="council", voting=None)
    assert CommissionMember.objects.get().voting is False


def test_the_commission_of_a_cancelled_competition_cannot_change(client, officer, state_body):
    competition = CompetitionFactory(state_body=state_body, cancelled=True)
    client.force_login(officer)
    response = appoint(client, competition, "late@example.org")
    assert response.status_code == 400
    assert tr("The commission of a closed or cancelled competition cannot change.") in text(
        response
    )
    assert not CommissionMember.objects.exists()


def test_officer_removes_a_member(client, officer, published):
    member = CommissionMemberFactory(competition=published)
    client.force_login(officer)
    response = client.post(remove(member), follow=True)
    assert response.redirect_chain[-1][0] == commission(published)
    assert tr("The member was removed from the commission.") in text(response)
    assert not CommissionMember.objects.exists()


def test_removing_from_a_cancelled_competition_is_refused(client, officer, state_body):
    member = CommissionMemberFactory(
        competition=CompetitionFactory(state_body=state_body, cancelled=True)
    )
    client.force_login(officer)
    response = client.post(remove(member), follow=True)
    assert tr("The commission of a closed or cancelled competition cannot change.") in text(
        response
    )
    assert CommissionMember.objects.filter(pk=member.pk).exists()


def test_a_member_of_another_commission_cannot_be_removed_here(
    client, officer, published, state_body
):
    foreign = CommissionMemberFactory(
        competition=CompetitionFactory(state_body=state_body, published=True)
    )
    client.force_login(officer)
    url = f"{commission(published)}{foreign.pk}/remove/"
    assert client.post(url).status_code == 404
    assert CommissionMember.objects.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("user", ["other_officer", "nco_member", "outsider"])
def test_only_officers_of_the_body_manage_the_commission(client, published, user, request):
    member = CommissionMemberFactory(competition=published)
    client.force_login(request.getfixturevalue(user))
    assert client.get(commission(published)).status_code == 403
    assert appoint(client, published, "x@example.org").status_code == 403
    assert client.post(remove(member)).status_code == 403
    assert list(CommissionMember.objects.all()) == [member]


def test_the_commission_page_requires_sign_in(client, published):
    response = client.get(commission(published))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_commission_pages_refuse_other_methods(client, officer, published):
    member = CommissionMemberFactory(competition=published)
    client.force_login(officer)
    assert client.put(commission(published)).status_code == 405
    assert client.get(remove(member)).status_code == 405
    assert CommissionMember.objects.exists()


# My commissions


def test_members_see_their_seats(client, published, state_body):
    expert = UserFactory()
    CommissionMemberFactory(competition=published, user=expert, role="chair")
    CommissionMemberFactory(
        competition=CompetitionFactory(state_body=state_body, published=True, title_ky="Башка"),
        user=expert,
        role="observer",
        voting=False,
    )
    CommissionMemberFactory()  # someone else's seat
    client.force_login(expert)
    response = client.get(MY_COMMISSIONS)
    assert response.status_code == 200
    assert len(response.context["seats"]) == 2
    page = text(response)
    assert published.reference in page
    assert tr("chair") in page
    assert tr("without a vote") in page


def test_my_commissions_query_count_does_not_grow_with_the_seats(client, state_body):
    expert = UserFactory()
    client.force_login(expert)

    def count(more):
        for _n in range(more):
            CommissionMemberFactory(
                competition=CompetitionFactory(state_body=state_body, published=True), user=expert
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(MY_COMMISSIONS).status_code == 200
        return len(queries)

    assert count(2) == count(12)


def test_without_seats_the_page_says_so(client, outsider):
    client.force_login(outsider)
    assert tr("You sit on no competition commission.") in text(client.get(MY_COMMISSIONS))


def test_my_commissions_requires_sign_in(client, db):
    response = client.get(MY_COMMISSIONS)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_commissions_refuses_post(client, outsider):
    client.force_login(outsider)
    assert client.post(MY_COMMISSIONS).status_code == 405
