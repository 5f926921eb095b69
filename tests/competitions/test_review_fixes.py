"""Behaviour pinned after the code review: reopening, frozen regions, concurrent edits,
missing files, question attribution, admin uploads, unpublished seats."""

import datetime

import pytest
from django.urls import reverse

from competitions import services
from competitions.models import Amendment, Clarification, Competition
from tests.factories import MembershipFactory, OfficerFactory, region

from .factories import CommissionMemberFactory, CompetitionFactory, DocumentFactory, in_days
from .helpers import edit_data, local_input, shows, tr


def officer_url(name, competition):
    return reverse(f"competitions:{name}", kwargs={"reference": competition.reference})


def test_a_passed_deadline_cannot_be_extended_even_before_beat_runs(officer, state_body):
    competition = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    with pytest.raises(services.ServiceError):
        services.extend_deadline(
            competition=competition, user=officer, new_deadline=in_days(30), note="Кайра ачабыз."
        )
    assert not Amendment.objects.exists()


def test_the_extend_page_refuses_a_passed_deadline(client, officer, state_body):
    competition = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    client.force_login(officer)
    response = client.post(
        officer_url("extend", competition),
        {"new_deadline": local_input(in_days(30)), "note": "Кайра ачабыз."},
    )
    assert response.status_code == 400
    assert shows(response, "Only the deadline of a competition open for applications can change.")
    competition.refresh_from_db()
    assert competition.deadline < in_days(0)


def test_regions_and_eligibility_of_a_published_competition_are_frozen(client, officer, published):
    client.force_login(officer)
    before = set(published.regions.values_list("code", flat=True))
    response = client.post(
        officer_url("edit", published), edit_data(published, regions=[region("KG-B").pk])
    )
    assert response.status_code == 400
    assert set(published.regions.values_list("code", flat=True)) == before
    response = client.post(
        officer_url("edit", published), edit_data(published, eligibility_ky="Баары")
    )
    assert response.status_code == 400
    published.refresh_from_db()
    assert published.eligibility_ky != "Баары"


def test_an_edit_does_not_undo_a_publication_made_meanwhile(client, officer, draft, monkeypatch):
    from competitions import views

    build_formsets = views._terms_formsets

    def publish_meanwhile(request, competition, frozen=False):
        # Another officer publishes after this request loaded the draft.
        services.publish_competition(competition=Competition.objects.get(pk=draft.pk), user=officer)
        return build_formsets(request, competition, frozen=frozen)

    monkeypatch.setattr(views, "_terms_formsets", publish_meanwhile)
    client.force_login(officer)
    response = client.post(officer_url("edit", draft), edit_data(draft, title_ky="Эски форма"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.title_ky) == ("published", draft.title_ky)
    assert draft.published_at is not None
    assert draft.title_ky != "Эски форма"


def test_saving_writes_only_the_forms_columns(client, officer, draft):
    client.force_login(officer)
    response = client.post(officer_url("edit", draft), edit_data(draft, title_ky="Жаңы"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title_ky, draft.status, draft.published_at) == ("Жаңы", "draft", None)


def test_a_document_missing_on_disk_is_404_not_500(client, published):
    document = published.documents.get()
    document.file.storage.delete(document.file.name)
    url = reverse(
        "competitions:document-download",
        kwargs={"reference": published.reference, "pk": document.pk},
    )
    assert client.get(url).status_code == 404


def test_a_question_names_the_organisation_only_when_there_is_one(published, organization):
    single = MembershipFactory(organization=organization, role="owner").user
    services.ask_clarification(competition=published, user=single, question="Бирөө?")
    several = MembershipFactory(role="owner").user
    MembershipFactory(user=several, role="editor")
    services.ask_clarification(competition=published, user=several, question="Экөө?")
    named = dict(Clarification.objects.values_list("question", "organization_id"))
    assert named == {"Бирөө?": organization.pk, "Экөө?": None}


def test_admin_cannot_add_documents_that_skip_the_content_check(admin_client, published):
    assert admin_client.get("/admin/competitions/competitiondocument/add/").status_code == 403


def test_admin_cannot_change_the_status_of_a_competition(admin_client, published):
    response = admin_client.get(f"/admin/competitions/competition/{published.pk}/change/")
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()


def test_my_commissions_does_not_link_an_unpublished_competition(client, state_body):
    draft = CompetitionFactory(state_body=state_body)
    seat = CommissionMemberFactory(competition=draft)
    client.force_login(seat.user)
    content = client.get("/ky/commissions/").content.decode()
    assert draft.reference in content
    assert f'href="/ky/competitions/{draft.reference}/"' not in content
    assert tr("not published yet") in content


def test_officers_of_the_same_body_may_extend(client, state_body, published):
    colleague = OfficerFactory(state_body=state_body).user
    services.extend_deadline(
        competition=published,
        user=colleague,
        new_deadline=published.deadline + datetime.timedelta(days=5),
        note="Көбүрөөк убакыт.",
    )
    assert Amendment.objects.filter(competition=published).count() == 1


def test_document_factory_is_usable(published):
    assert DocumentFactory(competition=published).size > 0
