"""The sealed rule: before the deadline nobody but the organisation reads an application.

Checked on the predicates and through every page that shows an application's content.
The admin pages are in test_admin.py.
"""

import pytest
from django.core.files.base import ContentFile

from competitions.models import CommissionMember
from grants import permissions, services
from grants.models import Application, ConflictDeclaration
from tests.competitions.factories import CommissionMemberFactory

from .factories import ApplicationFactory, open_competition
from .helpers import close, pdf_bytes, text, url

REVIEWERS = ["officer", "other_officer", "commission_member", "admin_user"]


@pytest.fixture
def sealed(applicant, submitted):
    """A submitted application with two versions, a receipt and a document, before the deadline."""
    Application.objects.filter(pk=submitted.pk).update(title=submitted.title + " (2)")
    services.submit_application(user=applicant, application=submitted)
    submitted.refresh_from_db()
    version = submitted.versions.get(number=1)
    version.receipt.save("receipt.pdf", ContentFile(pdf_bytes()))
    return submitted


def content_pages(application):
    attachment = application.attachments.get()
    return {
        "detail": url("detail", pk=application.pk),
        "attachment-download": url(
            "attachment-download", pk=application.pk, attachment_pk=attachment.pk
        ),
        "admission": url("admission", pk=application.pk),
        "compare": url("compare", pk=application.pk) + "?a=1&b=2",
        "receipt": url("receipt", pk=application.pk, number=1),
    }


def declare(user, application, *, conflict: bool = False) -> ConflictDeclaration:
    """The commission member ``user`` declares (no) conflict of interest with the application
    (the row itself: the service takes declarations on admitted applications only)."""
    seat = CommissionMember.objects.get(user=user, competition=application.competition)
    return ConflictDeclaration.objects.create(
        application=application,
        member=seat,
        has_conflict=conflict,
        note="Уюмдун төрагасы менин тууганым." if conflict else "",
    )


def assert_no_content(response, application):
    page = text(response) if response.get("Content-Type", "").startswith("text/") else ""
    for secret in (application.title, application.summary, application.problem):
        assert secret not in page


# The predicates


@pytest.mark.parametrize("user", ["applicant", "editor"])
def test_the_organisation_reads_its_application_at_any_time(request, user, submitted):
    member = request.getfixturevalue(user)
    assert permissions.can_view_application(member, submitted)
    close(submitted.competition)
    assert permissions.can_view_application(member, submitted)


@pytest.mark.parametrize("user", [*REVIEWERS, "outsider", "other_member"])
def test_nobody_else_reads_a_submitted_application_before_the_deadline(request, user, submitted):
    assert not permissions.is_unsealed(submitted)
    assert not permissions.can_view_application(request.getfixturevalue(user), submitted)


@pytest.mark.parametrize(
    ("user", "reads"),
    [
        ("officer", True),
        ("commission_member", False),  # until the member declares no conflict
        ("other_officer", False),
        ("admin_user", False),
        ("outsider", False),
        ("other_member", False),
    ],
)
def test_after_the_deadline_only_the_customer_and_the_commission_read_it(
    request, user, reads, submitted
):
    close(submitted.competition)
    assert permissions.is_unsealed(submitted)
    assert permissions.can_view_application(request.getfixturevalue(user), submitted) is reads


@pytest.mark.parametrize(("conflict", "reads"), [(False, True), (True, False)])
def test_a_commission_member_reads_it_only_after_declaring_no_conflict(
    commission_member, submitted, conflict, reads
):
    close(submitted.competition)
    assert not permissions.can_view_application(commission_member, submitted)
    declare(commission_member, submitted, conflict=conflict)
    assert permissions.can_view_application(commission_member, submitted) is reads


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_drafts_and_withdrawn_applications_stay_sealed_after_the_deadline(
    officer, commission_member, submitted, status
):
    declare(commission_member, submitted)
    Application.objects.filter(pk=submitted.pk).update(status=status)
    submitted.refresh_from_db()
    close(submitted.competition)
    assert not permissions.is_unsealed(submitted)
    assert not permissions.can_view_application(officer, submitted)
    assert not permissions.can_view_application(commission_member, submitted)


# Every page, before the deadline


def test_the_organisation_reaches_its_pages_before_the_deadline(client, applicant, sealed):
    client.force_login(applicant)
    for name, address in content_pages(sealed).items():
        expected = 404 if name == "admission" else 200
        assert client.get(address).status_code == expected, name


@pytest.mark.parametrize("user", REVIEWERS)
def test_reviewers_and_administrators_get_404_on_every_content_page_before_the_deadline(
    request, client, user, sealed
):
    reviewer = request.getfixturevalue(user)
    if user == "commission_member":
        declare(reviewer, sealed)  # a declaration does not unseal it either
    client.force_login(reviewer)
    for name, address in content_pages(sealed).items():
        response = client.get(address)
        assert response.status_code == 404, name
        assert_no_content(response, sealed)


def test_the_customers_officer_sees_only_how_many_were_submitted(
    client, officer, sealed, competition, other_member
):
    draft = ApplicationFactory(
        competition=competition,
        organization=other_member.organization_memberships.get().organization,
        complete=True,
    )
    client.force_login(officer)
    response = client.get(url("competition-applications", reference=competition.reference))
    assert response.status_code == 200
    assert response.context["sealed"] is True
    assert response.context["counts"]["submitted"] == 1
    assert response.context["page"] is None
    page = text(response)
    for application in (sealed, draft):
        assert application.title not in page
        assert application.summary not in page
        assert application.organization.name not in page
        assert f"/applications/{application.pk}/" not in page


@pytest.mark.parametrize("user", ["commission_member", "other_officer", "admin_user"])
def test_nobody_else_sees_even_the_list_before_the_deadline(request, client, user, sealed):
    client.force_login(request.getfixturevalue(user))
    response = client.get(url("competition-applications", reference=sealed.competition.reference))
    assert response.status_code == 403
    assert_no_content(response, sealed)


def test_the_competition_page_shows_no_application_before_the_deadline(
    client, officer, commission_member, sealed
):
    for user in (None, officer, commission_member):
        if user:
            client.force_login(user)
        page = text(client.get(f"/ky/competitions/{sealed.competition.reference}/"))
        assert sealed.title not in page
        assert sealed.organization.name not in page


# After the deadline


@pytest.mark.parametrize("user", ["officer", "commission_member"])
def test_the_customer_and_the_commission_read_a_submitted_application_after_the_deadline(
    request, client, user, sealed
):
    close(sealed.competition)
    reader = request.getfixturevalue(user)
    if user == "commission_member":
        declare(reader, sealed)
    client.force_login(reader)
    response = client.get(url("detail", pk=sealed.pk))
    assert response.status_code == 200
    assert sealed.title in text(response)
    assert sealed.summary in text(response)
    download = client.get(content_pages(sealed)["attachment-download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()


@pytest.mark.parametrize("conflict", [None, True], ids=["undeclared", "conflict"])
def test_a_commission_member_without_a_declaration_of_no_conflict_gets_404(
    client, commission_member, sealed, conflict
):
    close(sealed.competition)
    if conflict:
        declare(commission_member, sealed, conflict=True)
    client.force_login(commission_member)
    for name, address in content_pages(sealed).items():
        response = client.get(address)
        assert response.status_code == 404, name
        assert_no_content(response, sealed)


@pytest.mark.parametrize("user", ["officer", "commission_member"])
def test_versions_and_receipts_stay_with_the_organisation_after_the_deadline(
    request, client, user, sealed
):
    close(sealed.competition)
    reader = request.getfixturevalue(user)
    if user == "commission_member":
        declare(reader, sealed)
    client.force_login(reader)
    pages = content_pages(sealed)
    assert client.get(pages["compare"]).status_code == 404
    assert client.get(pages["receipt"]).status_code == 404


@pytest.fixture
def other_commission_member(db):
    """Sits on the commission of another competition."""
    return CommissionMemberFactory(competition=open_competition()).user


@pytest.mark.parametrize(
    "user", ["other_officer", "other_commission_member", "admin_user", "outsider", "other_member"]
)
def test_others_still_get_404_after_the_deadline(request, client, user, sealed):
    close(sealed.competition)
    client.force_login(request.getfixturevalue(user))
    for name, address in content_pages(sealed).items():
        response = client.get(address)
        assert response.status_code == 404, name
        assert_no_content(response, sealed)


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
@pytest.mark.parametrize("user", ["officer", "commission_member"])
def test_drafts_and_withdrawn_applications_are_never_shown_to_reviewers(
    request, client, user, status, sealed
):
    reviewer = request.getfixturevalue(user)
    if user == "commission_member":
        declare(reviewer, sealed)
    Application.objects.filter(pk=sealed.pk).update(status=status)
    close(sealed.competition)
    client.force_login(reviewer)
    for name, address in content_pages(sealed).items():
        response = client.get(address)
        assert response.status_code == 404, name
        assert_no_content(response, sealed)
