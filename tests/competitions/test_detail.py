"""The public competition page, its documents and the follow button."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from competitions.models import Amendment, Follow
from socialorder.uploads import CONTENT_TYPES

from .factories import (
    PDF_BYTES,
    ChecklistItemFactory,
    ClarificationFactory,
    CompetitionFactory,
    CriterionFactory,
    DocumentFactory,
    FollowFactory,
    in_days,
)
from .helpers import text, tr


def detail(competition, language="ky"):
    return f"/{language}/competitions/{competition.reference}/"


def download(document, language="ky"):
    return f"{detail(document.competition, language)}documents/{document.pk}/"


def follow_url(competition):
    return f"{detail(competition)}follow/"


# The page


def test_visitor_sees_every_term_of_a_published_competition(client, published):
    criterion = published.criteria.get()
    document = published.documents.get()
    response = client.get(detail(published))
    assert response.status_code == 200
    page = text(response)
    for shown in (
        published.reference,
        published.title_ky,
        published.announcement_ky,
        published.eligibility_ky,
        published.state_body.name_ky,
        published.contact_name,
        published.contact_email,
        criterion.name_ky,
        document.title,
        published.checklist.get().name_ky,
        tr("accepting applications"),
    ):
        assert shown in page, shown
    assert re.search(rf"<td>{criterion.max_points}</td><td>1[.,]50</td>", page)
    assert download(document) in page


def test_the_page_speaks_the_visitors_language(client, published):
    page = text(client.get(detail(published, "ru")))
    assert published.title_ru in page
    assert published.criteria.get().name_ru in page
    assert published.title_ky not in page


def test_only_answered_questions_are_public_and_askers_stay_anonymous(
    client, published, organization
):
    answered = ClarificationFactory(
        competition=published,
        organization=organization,
        answer="Ооба, акчалай болушу керек.",
        answered_at=timezone.now(),
    )
    pending = ClarificationFactory(competition=published)
    page = text(client.get(detail(published)))
    assert answered.question in page
    assert answered.answer in page
    assert pending.question not in page
    assert organization.name not in page
    assert answered.asked_by.email not in page


def test_officers_of_the_body_see_unanswered_questions_and_their_actions(
    client, officer, published
):
    pending = ClarificationFactory(competition=published)
    client.force_login(officer)
    page = text(client.get(detail(published)))
    assert pending.question in page
    assert tr("Officer actions") in page
    assert f"/ky/officer/competitions/{published.reference}/extend/" in page


def test_other_visitors_see_no_officer_actions(client, other_officer, published):
    client.force_login(other_officer)
    page = text(client.get(detail(published)))
    assert tr("Officer actions") not in page
    assert "/officer/competitions/" not in page.split("<main", 1)[-1]


def test_amendments_are_listed_on_the_page(client, published):
    Amendment.objects.create(
        competition=published,
        kind=Amendment.Kind.DEADLINE_EXTENDED,
        note="Суроо-жооптор үчүн узартылды.",
        old_deadline=published.deadline,
        new_deadline=published.deadline + datetime.timedelta(days=7),
    )
    page = text(client.get(detail(published)))
    assert "Суроо-жооптор үчүн узартылды." in page
    assert tr("deadline extended") in page


def test_a_cancelled_competition_shows_the_reason(client, state_body):
    competition = CompetitionFactory(state_body=state_body, cancelled=True)
    page = text(client.get(detail(competition)))
    assert tr("This competition was cancelled.") in page
    assert competition.cancel_reason in page


def test_a_passed_deadline_is_never_shown_as_open(client, state_body, nco_member):
    competition = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    client.force_login(nco_member)
    response = client.get(detail(competition))
    page = text(response)
    assert tr("evaluation") in page
    assert tr("accepting applications") not in page
    assert response.context["can_ask"] is False
    assert "/ask/" not in page


@pytest.mark.parametrize("user", [None, "nco_member", "outsider", "other_officer"])
def test_a_draft_is_404_for_anyone_but_the_bodys_officers(client, draft, user, request):
    if user:
        client.force_login(request.getfixturevalue(user))
    assert client.get(detail(draft)).status_code == 404


def test_officers_of_the_body_see_their_draft(client, officer, draft):
    client.force_login(officer)
    response = client.get(detail(draft))
    assert response.status_code == 200
    assert draft.title_ky in text(response)
    assert f"/ky/officer/competitions/{draft.reference}/publish/" in text(response)


def test_an_unknown_reference_is_404(client, db):
    assert client.get("/ky/competitions/SSO-1999-9999/").status_code == 404


def test_the_page_refuses_other_methods(client, published):
    assert client.post(detail(published)).status_code == 405


def test_the_page_has_the_same_number_of_queries_with_more_terms(client, published):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail(published)).status_code == 200
        return len(queries)

    few = count()
    for n in range(4):
        CriterionFactory(competition=published)
        ChecklistItemFactory(competition=published)
        DocumentFactory(competition=published)
        ClarificationFactory(competition=published, answer=f"Жооп {n}")
        Amendment.objects.create(competition=published, kind="deadline", note=f"Эскертүү {n}")
    assert count() == few


# Documents


def test_a_published_document_downloads_as_an_attachment(client, published):
    document = published.documents.get()
    response = client.get(download(document))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES["pdf"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"{published.reference}-{document.pk}.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_documents_live_under_theprivate_media_root(published, private_media):
    document = published.documents.get()
    path = private_media / document.file.name
    assert path.is_file()
    assert path.read_bytes() == PDF_BYTES


@pytest.mark.parametrize("user", [None, "nco_member", "other_officer"])
def test_a_drafts_document_is_404_for_anyone_but_the_bodys_officers(client, draft, user, request):
    document = DocumentFactory(competition=draft)
    if user:
        client.force_login(request.getfixturevalue(user))
    assert client.get(download(document)).status_code == 404


def test_officers_download_their_drafts_document(client, officer, draft):
    document = DocumentFactory(competition=draft)
    client.force_login(officer)
    response = client.get(download(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_document_of_another_competition_is_404(client, published, state_body):
    foreign = DocumentFactory(competition=CompetitionFactory(state_body=state_body, published=True))
    url = f"{detail(published)}documents/{foreign.pk}/"
    assert client.get(url).status_code == 404


def test_download_refuses_other_methods(client, published):
    assert client.post(download(published.documents.get())).status_code == 405


# Following


def test_nco_member_follows_and_unfollows(client, nco_member, published):
    client.force_login(nco_member)
    page = text(client.get(detail(published)))
    assert tr("Follow: e-mail me about changes") in page

    response = client.post(follow_url(published), {"follow": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == detail(published)
    assert Follow.objects.filter(competition=published, user=nco_member).exists()
    page = text(response)
    assert tr("You follow this competition and will be e-mailed about its changes.") in page
    assert tr("Stop following") in page

    response = client.post(follow_url(published), {"follow": "0"}, follow=True)
    assert not Follow.objects.exists()
    assert tr("You no longer follow this competition.") in text(response)


def test_following_twice_keeps_one_follow(client, nco_member, published):
    FollowFactory(competition=published, user=nco_member)
    client.force_login(nco_member)
    client.post(follow_url(published), {"follow": "1"})
    assert Follow.objects.count() == 1


def test_following_requires_sign_in(client, published):
    response = client.post(follow_url(published))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()


@pytest.mark.parametrize("user", ["outsider", "officer"])
def test_users_outside_any_nco_cannot_follow(client, published, user, request):
    client.force_login(request.getfixturevalue(user))
    assert client.post(follow_url(published)).status_code == 403
    assert not Follow.objects.exists()
    assert tr("Follow: e-mail me about changes") not in text(client.get(detail(published)))


def test_a_draft_cannot_be_followed(client, nco_member, draft):
    client.force_login(nco_member)
    assert client.post(follow_url(draft)).status_code == 404
    assert not Follow.objects.exists()


def test_follow_refuses_get(client, nco_member, published):
    client.force_login(nco_member)
    assert client.get(follow_url(published)).status_code == 405
    assert not Follow.objects.exists()
