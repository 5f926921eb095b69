"""What the public competition page shows about applications: the apply panel while the
competition is open, and after the deadline the list of applications received."""

import pytest
from django.utils import translation

from accounts.templatetags.portal import som
from grants import services
from grants.models import Application
from tests.factories import MembershipFactory

from .factories import ApplicationFactory, submitted_application
from .helpers import close, shows, text, tr


def apply_form(competition) -> str:
    return f'action="/ky/competitions/{competition.reference}/apply/"'


def page_of(client, competition):
    response = client.get(f"/ky/competitions/{competition.reference}/")
    assert response.status_code == 200
    return response


@pytest.fixture
def received(competition, applicant, organization, other_member, officer):
    """After the deadline: one admitted, one rejected (with a reason), one being checked,
    a draft and a withdrawn application."""
    admitted = submitted_application(applicant, competition=competition, organization=organization)
    other_organization = other_member.organization_memberships.get().organization
    rejected = submitted_application(
        other_member, competition=competition, organization=other_organization
    )
    third = MembershipFactory(role="owner")
    checked = submitted_application(
        third.user, competition=competition, organization=third.organization
    )
    draft = ApplicationFactory(competition=competition, complete=True)
    withdrawn = ApplicationFactory(competition=competition, complete=True, status="withdrawn")
    close(competition)
    services.decide_admission(user=officer, application=admitted, admit=True, reason="")
    services.decide_admission(
        user=officer, application=rejected, admit=False, reason="Каттоо күбөлүгү жок."
    )
    for application in (admitted, rejected, checked):
        application.refresh_from_db()
    return {
        "admitted": admitted,
        "rejected": rejected,
        "checked": checked,
        "draft": draft,
        "withdrawn": withdrawn,
    }


def test_after_the_deadline_everyone_sees_the_applications_received(client, competition, received):
    response = page_of(client, competition)
    page = text(response)
    assert shows(response, "Applications received")
    for application in (received["admitted"], received["rejected"], received["checked"]):
        assert application.organization.name in page
        assert application.title in page
        with translation.override("ky"):
            assert som(application.requested_total) in page
    with translation.override("ky"):
        assert f"{received['admitted'].get_status_display()}" in page
        assert f"{received['rejected'].get_status_display()}: Каттоо күбөлүгү жок." in page
    assert tr("being checked") in page


def test_drafts_and_withdrawn_applications_are_never_listed(client, competition, received):
    page = text(page_of(client, competition))
    for application in (received["draft"], received["withdrawn"]):
        assert application.title not in page
        assert application.organization.name not in page


def test_before_the_deadline_the_page_lists_no_application(client, competition, submitted):
    response = page_of(client, competition)
    assert not shows(response, "Applications received")
    assert submitted.title not in text(response)
    assert submitted.organization.name not in text(response)


def test_a_closed_competition_without_applications_says_so(client, competition):
    close(competition)
    assert shows(page_of(client, competition), "No applications were submitted.")


# The apply panel


def test_an_nco_member_is_invited_to_start_an_application_while_open(
    client, applicant, organization, competition
):
    client.force_login(applicant)
    response = page_of(client, competition)
    assert shows(response, "Start an application")
    assert apply_form(competition) in text(response)
    assert organization.name in text(response)


def test_a_member_with_an_application_is_led_to_it(client, applicant, application, competition):
    client.force_login(applicant)
    response = page_of(client, competition)
    assert f"/ky/applications/{application.pk}/" in text(response)
    assert apply_form(competition) not in text(response)


@pytest.mark.parametrize("user", [None, "outsider", "officer"])
def test_others_are_not_invited_to_apply(request, client, competition, user):
    if user:
        client.force_login(request.getfixturevalue(user))
    assert apply_form(competition) not in text(page_of(client, competition))


def test_no_invitation_after_the_deadline(client, applicant, competition):
    close(competition)
    client.force_login(applicant)
    assert apply_form(competition) not in text(page_of(client, competition))


def test_the_public_list_keeps_its_reasons_up_to_date(client, competition, received, officer):
    services.decide_admission(
        user=officer, application=received["admitted"], admit=False, reason="Кайра каралды."
    )
    assert "Кайра каралды." in text(page_of(client, competition))
    assert Application.objects.filter(status="rejected").count() == 2
