"""The officer workspace: competitions of the officer's body, from draft to cancellation."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from competitions import services
from competitions.models import (
    Amendment,
    Clarification,
    CommissionMember,
    Competition,
    CompetitionDocument,
    Criterion,
    Programme,
    StatusChange,
)
from tests.factories import OfficerFactory, region

from .factories import (
    ClarificationFactory,
    CommissionMemberFactory,
    CompetitionFactory,
    DocumentFactory,
    ProgrammeFactory,
    in_days,
    target_group,
)
from .helpers import (
    competition_data,
    docx_bytes,
    edit_data,
    local_input,
    new_criterion,
    pdf_bytes,
    png_bytes,
    shows,
    text,
    tr,
    upload,
)

CREATE = "/ky/officer/competitions/new/"


def url(name, competition, pk=None, language="ky"):
    kwargs = {"reference": competition.reference}
    if pk is not None:
        kwargs["pk"] = pk
    with translation.override(language):
        return reverse(f"competitions:{name}", kwargs=kwargs)


# Who may reach the officer pages

# (URL name, the object its pk names, the methods it answers)
OFFICER_PAGES = [
    ("edit", None, ["get", "post"]),
    ("documents", None, ["get", "post"]),
    ("document-delete", "document", ["post"]),
    ("publish", None, ["post"]),
    ("extend", None, ["get", "post"]),
    ("cancel", None, ["get", "post"]),
    ("commission", None, ["get", "post"]),
    ("commission-remove", "member", ["post"]),
    ("clarifications", None, ["get"]),
    ("clarification-answer", "clarification", ["post"]),
    ("history", None, ["get"]),
]


@pytest.fixture(params=["draft", "published"])
def target(request, state_body):
    """A competition with one of everything an officer page can name."""
    competition = CompetitionFactory(state_body=state_body, published=request.param == "published")
    return {
        "competition": competition,
        "document": DocumentFactory(competition=competition),
        "member": CommissionMemberFactory(competition=competition),
        "clarification": ClarificationFactory(competition=competition),
    }


# What a POST by an intruder would do if it got through.
INTRUDER_POST = {
    "title_ky": "Бузулган",
    "new_deadline": "2099-01-01T10:00",
    "note": "x",
    "reason": "x",
    "email": "intruder@example.org",
    "full_name": "x",
    "role": "member",
    "answer": "x",
    "kind": "terms",
    "title": "x",
}


def _visit_every_officer_page(client, target):
    for name, obj, methods in OFFICER_PAGES:
        pk = target[obj].pk if obj else None
        address = url(name, target["competition"], pk)
        for method in methods:
            data = INTRUDER_POST if method == "post" else None
            yield name, method, getattr(client, method)(address, data)


def _assert_untouched(target):
    competition = target["competition"]
    status = competition.status
    competition.refresh_from_db()
    assert competition.status == status
    assert competition.title_ky != "Бузулган"
    assert not Amendment.objects.exists()
    assert not StatusChange.objects.exists()
    assert CompetitionDocument.objects.filter(pk=target["document"].pk).exists()
    assert list(CommissionMember.objects.all()) == [target["member"]]
    assert Clarification.objects.get().answer == ""


@pytest.mark.parametrize(
    ("name", "obj", "methods"), OFFICER_PAGES, ids=[p[0] for p in OFFICER_PAGES]
)
def test_officer_of_another_body_gets_403_or_404(client, other_officer, target, name, obj, methods):
    client.force_login(other_officer)
    address = url(name, target["competition"], target[obj].pk if obj else None)
    for method in methods:
        data = INTRUDER_POST if method == "post" else None
        response = getattr(client, method)(address, data)
        assert response.status_code in (403, 404), (name, method, response.status_code)
    _assert_untouched(target)


def test_officer_of_another_body_sees_404_on_a_draft_and_403_on_a_published_one(
    client, other_officer, target
):
    client.force_login(other_officer)
    expected = 404 if target["competition"].status == "draft" else 403
    for name, method, response in _visit_every_officer_page(client, target):
        assert response.status_code == expected, (name, method)


@pytest.mark.parametrize("user", ["nco_member", "outsider"])
def test_nco_members_and_other_users_cannot_reach_officer_pages(client, target, user, request):
    client.force_login(request.getfixturevalue(user))
    for name, method, response in _visit_every_officer_page(client, target):
        assert response.status_code in (403, 404), (name, method, response.status_code)
    _assert_untouched(target)


def test_anonymous_visitors_are_sent_to_sign_in_from_every_officer_page(client, target):
    for name, method, response in _visit_every_officer_page(client, target):
        assert response.status_code == 302, (name, method)
        assert response["Location"].startswith("/ky/accounts/login/"), name
    _assert_untouched(target)


@pytest.mark.parametrize(
    "address", [CREATE, "/ky/officer/competitions/", "/ky/officer/programmes/"]
)
def test_workspace_pages_are_for_officers_only(client, nco_member, address):
    response = client.get(address)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(nco_member)
    assert client.get(address).status_code == 403


def test_a_colleague_in_the_same_body_may_act(client, state_body, draft):
    colleague = OfficerFactory(state_body=state_body).user
    client.force_login(colleague)
    assert client.get(url("edit", draft)).status_code == 200
    assert client.post(url("publish", draft)).status_code == 302


# Workspace list


def test_officer_lists_the_bodys_competitions_with_drafts(client, officer, draft, published):
    foreign = CompetitionFactory(published=True)
    client.force_login(officer)
    response = client.get("/ky/officer/competitions/")
    assert response.status_code == 200
    shown = {competition.reference for competition in response.context["page"]}
    assert shown == {draft.reference, published.reference}
    assert foreign.reference not in text(response)


def test_an_empty_workspace_says_how_to_start(client, officer):
    client.force_login(officer)
    page = text(client.get("/ky/officer/competitions/"))
    assert (
        tr(
            "Your state bodies have no competitions yet. Start with a new competition; "
            "it stays a draft until you publish it."
        )
        in page
    )


def test_workspace_query_count_does_not_grow_with_the_competitions(client, officer, state_body):
    client.force_login(officer)

    def count(more):
        for _n in range(more):
            CompetitionFactory(state_body=state_body, published=_n % 2 == 0)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/ky/officer/competitions/").status_code == 200
        return len(queries)

    assert count(3) == count(30)


# Creating


def test_officer_creates_a_draft_with_criteria_and_a_checklist(client, officer, state_body):
    client.force_login(officer)
    assert client.get(CREATE).status_code == 200
    data = competition_data(
        state_body=state_body,
        regions=[region("KG-GB"), region("KG-C")],
        criteria=[new_criterion(), new_criterion(name_ky="Бюджет", name_ru="Бюджет", weight="1")],
        checklist=[{"name_ky": "Устав", "name_ru": "Устав", "required": "on", "order": 1}],
    )
    response = client.post(CREATE, data)
    assert response.status_code == 302
    competition = Competition.objects.get()
    assert response["Location"] == f"/ky/competitions/{competition.reference}/"
    assert competition.reference.startswith("SSO-")
    assert (competition.status, competition.state_body, competition.created_by) == (
        "draft",
        state_body,
        officer,
    )
    assert competition.criteria.count() == 2
    assert competition.checklist.get().required is True
    assert set(competition.regions.values_list("code", flat=True)) == {"KG-GB", "KG-C"}
    assert (competition.title_ky, competition.title_ru) == (data["title_ky"], data["title_ru"])


def test_the_create_form_proposes_a_deadline_after_the_minimum_window(client, officer, settings):
    client.force_login(officer)
    form = client.get(CREATE).context["form"]
    proposed = form.initial["deadline"]
    assert proposed > in_days(settings.MIN_APPLICATION_DAYS)


@pytest.mark.parametrize(
    ("overrides", "field", "msgid"),
    [
        ({"deadline": local_input(in_days(-1))}, "deadline", "The deadline is in the past."),
        (
            {"min_grant": "300000", "max_grant": "200000"},
            "max_grant",
            "The maximum grant is below the minimum grant.",
        ),
        (
            {"max_grant": "2000000"},
            "max_grant",
            "The maximum grant is above the total budget.",
        ),
        (
            {"own_contribution_percent": "101"},
            "own_contribution_percent",
            "Ensure this value is less than or equal to %(limit_value)s.",
        ),
        (
            {"duration_min_months": "12", "duration_max_months": "6"},
            "duration_max_months",
            "The longest project cannot be shorter than the shortest.",
        ),
        ({"title_ru": ""}, "title_ru", "This field is required."),
    ],
    ids=["past-deadline", "max-below-min", "max-above-budget", "own-share", "durations", "ru"],
)
def test_bad_terms_are_refused_with_a_message_and_nothing_saved(
    client, officer, state_body, overrides, field, msgid
):
    client.force_login(officer)
    data = competition_data(state_body=state_body, regions=[region("KG-GB")], **overrides)
    response = client.post(CREATE, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert shows(response, msgid)
    assert tr("Please correct the errors below. Nothing was saved.") in text(response)
    assert not Competition.objects.exists()
    assert not Criterion.objects.exists()


@pytest.mark.parametrize("weight", ["0", "-1"])
def test_criteria_weights_must_be_positive(client, officer, state_body, weight):
    client.force_login(officer)
    data = competition_data(
        state_body=state_body, regions=[region("KG-GB")], criteria=[new_criterion(weight=weight)]
    )
    response = client.post(CREATE, data)
    assert response.status_code == 400
    assert "weight" in response.context["criteria"].errors[0]
    assert shows(response, "Ensure this value is greater than or equal to %(limit_value)s.")
    assert not Competition.objects.exists()


def test_officers_cannot_create_for_another_body(client, officer):
    other_body = OfficerFactory().state_body
    client.force_login(officer)
    data = competition_data(state_body=other_body, regions=[region("KG-GB")])
    response = client.post(CREATE, data)
    assert response.status_code == 400
    assert "state_body" in response.context["form"].errors
    assert not Competition.objects.exists()


def test_the_create_form_refuses_other_methods(client, officer):
    client.force_login(officer)
    assert client.put(CREATE).status_code == 405


# Editing


def test_officer_edits_a_draft_including_its_criteria(client, officer, draft):
    client.force_login(officer)
    assert client.get(url("edit", draft)).status_code == 200

    def reweigh(rows):
        rows[0]["weight"] = "3"
        rows[1]["DELETE"] = "on"
        return [*rows, new_criterion(name_ky="Туруктуулук", name_ru="Устойчивость")]

    response = client.post(
        url("edit", draft), edit_data(draft, criteria=reweigh, total_budget="1500000")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.total_budget == Decimal(1_500_000)
    assert sorted(draft.criteria.values_list("weight", flat=True)) == [Decimal(2), Decimal(3)]


def test_texts_of_a_published_competition_can_be_corrected(client, officer, published):
    client.force_login(officer)
    response = client.post(url("edit", published), edit_data(published, title_ky="Тактоо"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title_ky == "Тактоо"
    assert published.status == "published"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_budget", "2000000"),
        ("max_grant", "300000"),
        ("own_contribution_percent", "20"),
        ("deadline", local_input(in_days(60))),
    ],
)
def test_frozen_terms_of_a_published_competition_cannot_change(
    client, officer, published, field, value
):
    before = Competition.objects.values(field, "title_ky").get(pk=published.pk)
    client.force_login(officer)
    response = client.post(
        url("edit", published), edit_data(published, title_ky="Тактоо", **{field: value})
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert shows(
        response,
        "This term is frozen since publication and cannot be changed. "
        "A deadline can only be extended through an amendment.",
    )
    assert Competition.objects.values(field, "title_ky").get(pk=published.pk) == before


def test_criteria_of_a_published_competition_stay_as_published(client, officer, published):
    weights = list(published.criteria.values_list("pk", "weight"))

    def edit(rows):
        rows[0]["weight"] = "9"
        return [*rows, new_criterion()]

    client.force_login(officer)
    client.post(url("edit", published), edit_data(published, criteria=edit))
    assert list(published.criteria.values_list("pk", "weight")) == weights


@pytest.mark.parametrize("change", ["weight", "add", "delete", "checklist"])
def test_criteria_and_checklist_of_a_published_competition_cannot_change(
    client, officer, published, change
):
    terms = (
        list(published.criteria.values("pk", "weight")),
        list(published.checklist.values("pk", "required")),
    )

    def edit(rows):
        if change == "weight":
            rows[0]["weight"] = "9"
        elif change == "delete":
            rows[0]["DELETE"] = "on"
        elif change == "add":
            rows.append(new_criterion())
        return rows

    def optional(items):
        if change == "checklist":
            items[0]["required"] = ""
        return items

    client.force_login(officer)
    response = client.post(
        url("edit", published), edit_data(published, criteria=edit, checklist=optional)
    )
    assert terms == (
        list(published.criteria.values("pk", "weight")),
        list(published.checklist.values("pk", "required")),
    )
    assert response.status_code == 400
    assert shows(response, "This term is frozen since publication and cannot be changed.")


def test_texts_can_be_corrected_when_the_deadline_has_seconds(client, officer, published):
    Competition.objects.filter(pk=published.pk).update(
        deadline=published.deadline.replace(second=30)
    )
    published.refresh_from_db()
    client.force_login(officer)
    response = client.post(url("edit", published), edit_data(published, title_ky="Тактоо"))
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.title_ky == "Тактоо"


@pytest.mark.parametrize("state", ["evaluation", "cancelled"])
def test_a_competition_past_publication_can_no_longer_be_edited(client, officer, state_body, state):
    competition = CompetitionFactory(state_body=state_body, **{state: True})
    client.force_login(officer)
    response = client.post(
        url("edit", competition), edit_data(competition, title_ky="x"), follow=True
    )
    assert tr("This competition can no longer be edited.") in text(response)
    competition.refresh_from_db()
    assert competition.title_ky != "x"


def test_edit_refuses_other_methods(client, officer, draft):
    client.force_login(officer)
    assert client.delete(url("edit", draft)).status_code == 405


# Documents


def test_officer_uploads_a_document_by_its_content(client, officer, draft, private_media):
    client.force_login(officer)
    data = docx_bytes()
    response = client.post(
        url("documents", draft),
        {
            "kind": "template",
            "title_ky": "Арыздын үлгүсү",
            "title_ru": "Арыздын үлгүсү",
            "file": upload("арыз.docx", data),
        },
    )
    assert response.status_code == 302
    document = draft.documents.get()
    assert (document.kind, document.file_type, document.size, document.uploaded_by) == (
        "template",
        "docx",
        len(data),
        officer,
    )
    assert (private_media / document.file.name).read_bytes() == data


def test_the_documents_page_lists_them(client, officer, published):
    client.force_login(officer)
    response = client.get(url("documents", published))
    assert response.status_code == 200
    assert published.documents.get().title in text(response)


def test_a_text_file_named_pdf_is_refused(client, officer, draft, private_media):
    client.force_login(officer)
    response = client.post(
        url("documents", draft),
        {
            "kind": "terms",
            "title_ky": "ТТ",
            "title_ru": "ТЗ",
            "file": upload("tt.pdf", b"plain text\n", "application/pdf"),
        },
    )
    assert response.status_code == 400
    assert shows(response, "This file type is not accepted. Upload one of: %(types)s.")
    assert not CompetitionDocument.objects.exists()
    assert not private_media.exists() or not any(private_media.rglob("*.pdf"))


def test_an_image_is_not_a_document(client, officer, draft):
    client.force_login(officer)
    response = client.post(
        url("documents", draft),
        {"kind": "terms", "title_ky": "ТТ", "title_ru": "ТТ", "file": upload("a.pdf", png_bytes())},
    )
    assert response.status_code == 400
    assert not CompetitionDocument.objects.exists()


def test_a_document_over_the_size_limit_is_refused(client, officer, draft, settings):
    settings.UPLOAD_MAX_BYTES = 32
    client.force_login(officer)
    response = client.post(
        url("documents", draft),
        {"kind": "terms", "title_ky": "ТТ", "title_ru": "ТТ", "file": upload("a.pdf", pdf_bytes())},
    )
    assert response.status_code == 400
    assert shows(response, "The file is too large (%(size)s). The limit is %(limit)s.")
    assert not CompetitionDocument.objects.exists()


def test_documents_may_be_added_after_publication_but_not_removed(client, officer, published):
    document = published.documents.get()
    client.force_login(officer)
    response = client.post(
        url("documents", published),
        {
            "kind": "other",
            "title_ky": "Тактоо",
            "title_ru": "Тактоо",
            "file": upload("b.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    response = client.post(url("document-delete", published, document.pk), follow=True)
    assert tr("Documents of a published competition cannot be removed.") in text(response)
    assert published.documents.count() == 2


def test_officer_removes_a_drafts_document_and_its_file(client, officer, draft, private_media):
    document = DocumentFactory(competition=draft)
    path = private_media / document.file.name
    assert path.exists()
    client.force_login(officer)
    response = client.post(url("document-delete", draft, document.pk))
    assert response.status_code == 302
    assert not CompetitionDocument.objects.exists()
    assert not path.exists()


def test_a_cancelled_competition_takes_no_documents(client, officer, state_body):
    competition = CompetitionFactory(state_body=state_body, cancelled=True)
    client.force_login(officer)
    response = client.post(
        url("documents", competition),
        {"kind": "terms", "title_ky": "ТТ", "title_ru": "ТТ", "file": upload("a.pdf", pdf_bytes())},
    )
    assert response.status_code == 403
    assert not CompetitionDocument.objects.exists()


def test_document_pages_refuse_other_methods(client, officer, draft):
    document = DocumentFactory(competition=draft)
    client.force_login(officer)
    assert client.put(url("documents", draft)).status_code == 405
    assert client.get(url("document-delete", draft, document.pk)).status_code == 405
    assert CompetitionDocument.objects.exists()


# Publishing


def test_officer_publishes_a_complete_draft(client, officer, draft):
    client.force_login(officer)
    response = client.post(url("publish", draft), follow=True)
    assert response.redirect_chain[-1][0] == f"/ky/competitions/{draft.reference}/"
    assert tr("The competition is published. Applications are open.") in text(response)
    draft.refresh_from_db()
    assert draft.status == "published"
    assert StatusChange.objects.get().changed_by == officer


@pytest.mark.parametrize(
    ("problem", "msgid"),
    [
        ("past", "The deadline is in the past."),
        (
            "soon",
            "The deadline must be at least %(days)d days after publication, not before %(date)s.",
        ),
        ("criteria", "Add at least one evaluation criterion."),
        ("regions", "Choose at least one region the competition covers."),
    ],
)
@pytest.mark.parametrize("language", ["ky", "ru"])
def test_publishing_an_incomplete_draft_is_refused_with_the_reasons(
    client, officer, draft, problem, msgid, language, settings
):
    if problem == "past":
        Competition.objects.filter(pk=draft.pk).update(deadline=in_days(-1))
    elif problem == "soon":
        Competition.objects.filter(pk=draft.pk).update(
            deadline=in_days(settings.MIN_APPLICATION_DAYS - 1)
        )
    elif problem == "criteria":
        draft.criteria.all().delete()
    else:
        draft.regions.clear()
    client.force_login(officer)
    response = client.post(url("publish", draft, language=language))
    assert response.status_code == 400
    assert shows(response, msgid, language)
    assert shows(response, "The competition was not published", language)
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == ("draft", None)
    assert not StatusChange.objects.exists()


def test_a_published_competition_is_not_published_again(client, officer, published):
    client.force_login(officer)
    response = client.post(url("publish", published))
    assert response.status_code == 400
    assert shows(response, "Only a draft can be published.")


def test_publish_refuses_get(client, officer, draft):
    client.force_login(officer)
    assert client.get(url("publish", draft)).status_code == 405
    draft.refresh_from_db()
    assert draft.status == "draft"


# Extending the deadline


def test_officer_extends_the_deadline_with_a_public_note(client, officer, published):
    new = published.deadline + datetime.timedelta(days=10)
    client.force_login(officer)
    assert client.get(url("extend", published)).status_code == 200
    response = client.post(
        url("extend", published), {"new_deadline": local_input(new), "note": "Суроолор көп."}
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.deadline == new
    amendment = Amendment.objects.get()
    assert (amendment.note, amendment.new_deadline) == ("Суроолор көп.", new)
    assert "Суроолор көп." in text(client.get(f"/ky/competitions/{published.reference}/"))


@pytest.mark.parametrize("days", [0, -3])
def test_a_published_deadline_cannot_be_shortened(client, officer, published, days):
    old = published.deadline
    client.force_login(officer)
    response = client.post(
        url("extend", published),
        {"new_deadline": local_input(old + datetime.timedelta(days=days)), "note": "Кыскартуу."},
    )
    assert response.status_code == 400
    assert shows(response, "A published deadline can only be extended, not shortened.")
    published.refresh_from_db()
    assert published.deadline == old
    assert not Amendment.objects.exists()


def test_an_extension_without_a_note_is_refused(client, officer, published):
    client.force_login(officer)
    response = client.post(
        url("extend", published),
        {"new_deadline": local_input(published.deadline + datetime.timedelta(days=3))},
    )
    assert response.status_code == 400
    assert shows(response, "This field is required.")
    assert not Amendment.objects.exists()


def test_a_draft_deadline_is_edited_not_extended(client, officer, draft):
    client.force_login(officer)
    response = client.post(
        url("extend", draft),
        {"new_deadline": local_input(draft.deadline + datetime.timedelta(days=3)), "note": "x"},
    )
    assert response.status_code == 400
    assert shows(response, "Only the deadline of a competition open for applications can change.")
    assert not Amendment.objects.exists()


def test_extend_refuses_other_methods(client, officer, published):
    client.force_login(officer)
    assert client.put(url("extend", published)).status_code == 405


# Cancelling


def test_officer_cancels_with_a_public_reason(client, officer, published):
    client.force_login(officer)
    assert client.get(url("cancel", published)).status_code == 200
    response = client.post(url("cancel", published), {"reason": "Каржы жок."}, follow=True)
    assert tr("The competition was cancelled.") in text(response)
    assert "Каржы жок." in text(response)
    published.refresh_from_db()
    assert (published.status, published.cancel_reason) == ("cancelled", "Каржы жок.")
    assert Amendment.objects.get().kind == "cancelled"


def test_cancelling_without_a_reason_is_refused(client, officer, published):
    client.force_login(officer)
    response = client.post(url("cancel", published), {"reason": ""})
    assert response.status_code == 400
    published.refresh_from_db()
    assert published.status == "published"


def test_a_competition_in_evaluation_cannot_be_cancelled(client, officer, state_body):
    competition = CompetitionFactory(state_body=state_body, evaluation=True)
    client.force_login(officer)
    response = client.post(url("cancel", competition), {"reason": "Жок."})
    assert response.status_code == 400
    assert shows(response, "A competition that is %(status)s cannot become %(to)s.")
    competition.refresh_from_db()
    assert competition.status == "evaluation"


def test_cancel_refuses_other_methods(client, officer, published):
    client.force_login(officer)
    assert client.put(url("cancel", published)).status_code == 405


# Status history


def test_history_names_the_officer_and_the_portal(client, officer, draft):
    client.force_login(officer)
    assert tr("The competition is a draft; its status has not changed yet.") in text(
        client.get(url("history", draft))
    )
    services.publish_competition(competition=draft, user=officer)
    services.close_passed_deadlines(now=draft.deadline)
    response = client.get(url("history", draft))
    assert response.status_code == 200
    changes = list(response.context["changes"])
    assert [(c.from_status, c.to_status, c.changed_by) for c in changes] == [
        ("draft", "published", officer),
        ("published", "evaluation", None),
    ]
    page = text(response)
    assert str(officer) in page
    assert tr("the portal") in page


def test_history_refuses_post(client, officer, draft):
    client.force_login(officer)
    assert client.post(url("history", draft)).status_code == 405


def test_no_email_is_sent_by_editing(client, officer, draft):
    client.force_login(officer)
    client.post(url("edit", draft), edit_data(draft))
    assert mail.outbox == []


# Programmes

PROGRAMMES = "/ky/officer/programmes/"


def programme_data(state_body, **overrides):
    data = {
        "state_body": state_body.pk,
        "title_ky": "Улгайгандарды колдоо программасы",
        "title_ru": "Программа поддержки пожилых",
        "description_ky": "Максаттар.",
        "description_ru": "Цели.",
        "year_start": "2026",
        "year_end": "2028",
        "budget": "50000000",
        "target_groups": [target_group().pk],
    }
    data.update(overrides)
    return data


def test_officer_creates_a_programme_with_its_approving_document(
    client, officer, state_body, private_media
):
    client.force_login(officer)
    assert client.get(f"{PROGRAMMES}new/").status_code == 200
    response = client.post(
        f"{PROGRAMMES}new/",
        programme_data(state_body, approving_document=upload("буйрук.pdf", pdf_bytes())),
    )
    assert response.status_code == 302
    programme = Programme.objects.get()
    assert (programme.state_body, programme.created_by) == (state_body, officer)
    assert list(programme.target_groups.all()) == [target_group()]
    assert (private_media / programme.approving_document.name).read_bytes() == pdf_bytes()

    listing = client.get(PROGRAMMES)
    assert programme.title_ky in text(listing)
    download = client.get(f"{PROGRAMMES}{programme.pk}/document/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()


@pytest.mark.parametrize(
    ("overrides", "msgid"),
    [
        ({"year_end": "2025"}, "The last year cannot be before the first."),
        ({"title_ru": ""}, "This field is required."),
        (
            {"approving_document": upload("буйрук.pdf", b"text, not a PDF")},
            "This file type is not accepted. Upload one of: %(types)s.",
        ),
    ],
    ids=["years", "ru-title", "document-type"],
)
def test_a_bad_programme_is_refused_with_a_message(client, officer, state_body, overrides, msgid):
    client.force_login(officer)
    response = client.post(f"{PROGRAMMES}new/", programme_data(state_body, **overrides))
    assert response.status_code == 400
    assert shows(response, msgid)
    assert not Programme.objects.exists()


def test_officer_edits_a_programme_of_the_body(client, officer, state_body):
    programme = ProgrammeFactory(state_body=state_body)
    client.force_login(officer)
    edit = f"{PROGRAMMES}{programme.pk}/edit/"
    assert client.get(edit).status_code == 200
    response = client.post(edit, programme_data(state_body, budget="70000000"))
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.budget == Decimal(70_000_000)


def test_programmes_of_another_body_are_404(client, other_officer, state_body):
    programme = ProgrammeFactory(state_body=state_body)
    client.force_login(other_officer)
    assert programme.title_ky not in text(client.get(PROGRAMMES))
    edit = f"{PROGRAMMES}{programme.pk}/edit/"
    assert client.get(edit).status_code == 404
    assert client.post(edit, programme_data(state_body, budget="1")).status_code == 404
    assert client.get(f"{PROGRAMMES}{programme.pk}/document/").status_code == 404
    programme.refresh_from_db()
    assert programme.budget == Decimal(50_000_000)


def test_a_programme_cannot_be_filed_under_another_body(client, officer, other_officer):
    client.force_login(officer)
    other_body = other_officer.state_body_memberships.get().state_body
    response = client.post(f"{PROGRAMMES}new/", programme_data(other_body))
    assert response.status_code == 400
    assert not Programme.objects.exists()


def test_programme_pages_require_sign_in(client, state_body):
    programme = ProgrammeFactory(state_body=state_body)
    for address in (f"{PROGRAMMES}new/", f"{PROGRAMMES}{programme.pk}/edit/"):
        response = client.get(address)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_a_programme_without_a_document_has_nothing_to_download(client, officer, state_body):
    programme = ProgrammeFactory(state_body=state_body)
    client.force_login(officer)
    assert client.get(f"{PROGRAMMES}{programme.pk}/document/").status_code == 404


def test_programme_pages_refuse_other_methods(client, officer, state_body):
    programme = ProgrammeFactory(state_body=state_body)
    client.force_login(officer)
    assert client.post(PROGRAMMES).status_code == 405
    assert client.put(f"{PROGRAMMES}{programme.pk}/edit/").status_code == 405
