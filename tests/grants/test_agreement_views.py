"""The pages of the grant agreement (grants/agreement_views.py), view by view: the page
itself; who may not reach it and what they get (the login page, 404 or 403); the methods
it refuses; refused input (a 4xx, the message, nothing saved). Then the downloads and the
query count of the working page.

The cast: ``grant.officer`` (an officer of the customer), ``grant.applicant`` (the
organisation's owner), ``other_officer`` (an officer of another state body), ``outsider``.
The rules themselves are tested on the services (grants/implementation.py).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants import implementation
from grants.models import (
    AgreementDocument,
    Application,
    GrantAgreement,
    ImplementationEvent,
    MonitoringVisit,
    Report,
    Tranche,
)

from . import evaluation as ev
from .helpers import messages_of, png_bytes, says, text, text_file, tr, url
from .implementation import (
    BANK,
    PDF_BYTES,
    accepted_report,
    days,
    drafted_agreement,
    pdf_upload,
    prepared_agreement,
)

LOGIN = "/ky/accounts/login/"
NOT_FOUND = "The page does not exist, or you do not have access to it."
DENIED = (
    "Your account does not have the role needed for this page. If you think it should, "
    "contact the portal administrator."
)
REQUIRED = "This field is required."


def told(response, msgid: str) -> bool:
    """The message ``msgid`` is on the page or waits for the next one (placeholders filled
    with anything)."""
    parts = re.split(r"%\(\w+\)[sd]", tr(msgid))
    regex = re.compile(".+?".join(re.escape(part.replace("%%", "%")) for part in parts), re.S)
    return says(response, msgid) or any(regex.search(message) for message in messages_of(response))


def sends_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def not_found(response) -> bool:
    return response.status_code == 404 and says(response, NOT_FOUND)


def denied(response) -> bool:
    return response.status_code == 403 and says(response, DENIED)


def download(response) -> bytes:
    return b"".join(response.streaming_content)


def png(name="photo.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def ready(grant):
    """The PDFs marked rendered without WeasyPrint (the pages do not read the file)."""
    AgreementDocument.objects.filter(agreement=grant.agreement).update(
        status=AgreementDocument.Status.DONE
    )
    return grant


def quick_prepared():
    return ready(prepared_agreement(render=False))


def quick_signed():
    grant = quick_prepared()
    implementation.mark_signed(
        user=grant.officer,
        agreement=grant.agreement,
        signed_on=timezone.localdate(),
        scan=pdf_upload(),
    )
    return grant.refresh()


def quick_running():
    grant = quick_signed()
    implementation.pay_tranche(
        user=grant.officer,
        tranche=grant.tranches[0],
        paid_on=timezone.localdate(),
        reference="ПП-0001",
    )
    return grant.refresh()


def schedule(grant) -> list:
    """What the schedule is, to show that a refused change left it as it was."""
    agreement = grant.agreement
    return [
        list(agreement.reports.order_by("number").values_list("kind", "period_end", "due_date")),
        list(
            agreement.tranches.order_by("number").values_list(
                "amount", "due_date", "condition", "condition_report__number"
            )
        ),
    ]


def visitor(request, grant, who):
    """Sign in one of the cast; ``None`` stays anonymous."""
    users = {"officer": grant.officer, "applicant": grant.applicant}
    user = users.get(who) or (request.getfixturevalue(who) if who else None)
    return user


def sign_in(client, request, grant, who):
    user = visitor(request, grant, who)
    if user is not None:
        client.force_login(user)


@pytest.fixture
def drafted(db):
    return drafted_agreement()


@pytest.fixture
def prepared(db):
    return quick_prepared()


@pytest.fixture
def signed(db):
    return quick_signed()


@pytest.fixture
def running(db):
    return quick_running()


# Drafting the agreement


@pytest.fixture
def decided(db):
    return ev.decided_competition()


def awarded(flow):
    return next(a for a in flow.applications if a.status == Application.Status.AWARDED)


def test_the_officer_confirms_and_drafts_the_agreement(client, decided):
    application = awarded(decided)
    client.force_login(decided.officer)
    page = client.get(url("agreement-create", application.pk))
    assert page.status_code == 200
    assert application.reference in text(page)
    assert "120" in text(page)  # the award, 120 000 som
    response = client.post(url("agreement-create", application.pk))
    agreement = GrantAgreement.objects.get(application=application)
    assert response.status_code == 302
    assert response["Location"] == url("agreement-edit", agreement.pk)
    assert told(response, "The agreement %(number)s is drafted. Check its terms and schedule.")
    assert agreement.status == GrantAgreement.Status.DRAFT
    assert agreement.amount == Decimal(120000)


def test_an_application_with_an_agreement_leads_to_it(client, drafted):
    client.force_login(drafted.officer)
    for method in (client.get, client.post):
        response = method(url("agreement-create", drafted.agreement.application_id))
        assert response.status_code == 302
        assert response["Location"] == url("agreement", drafted.agreement.pk)
    assert GrantAgreement.objects.count() == 1


def test_an_application_not_awarded_gets_no_agreement(client, decided):
    reserve = next(a for a in decided.applications if a.status != Application.Status.AWARDED)
    client.force_login(decided.officer)
    for method in (client.get, client.post):
        response = method(url("agreement-create", reserve.pk))
        assert response.status_code == 409
        assert told(response, "Only an application awarded a grant gets an agreement.")
    assert not GrantAgreement.objects.exists()


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("other_officer", not_found)],
)
def test_only_the_customer_drafts_an_agreement(request, client, decided, who, answer):
    if who:
        client.force_login(request.getfixturevalue(who))
    application = awarded(decided)
    assert answer(client.get(url("agreement-create", application.pk)))
    assert answer(client.post(url("agreement-create", application.pk)))
    assert not GrantAgreement.objects.exists()


def test_the_applicant_may_not_draft_its_agreement(client, decided):
    application = awarded(decided)
    client.force_login(ev.applicant_of(application))
    assert denied(client.post(url("agreement-create", application.pk)))
    assert not GrantAgreement.objects.exists()


def test_drafting_answers_get_and_post_only(client, decided):
    client.force_login(decided.officer)
    assert client.put(url("agreement-create", awarded(decided).pk)).status_code == 405


def test_the_officer_finds_the_agreement_from_the_applications(client, decided):
    client.force_login(decided.officer)
    page = client.get(url("competition-applications", decided.competition.reference))
    assert url("agreement-create", awarded(decided).pk) in text(page)


# The working page


def test_the_officer_reads_the_draft_with_what_it_lacks(client, drafted):
    GrantAgreement.objects.filter(pk=drafted.agreement.pk).update(bank_name="")
    client.force_login(drafted.officer)
    response = client.get(url("agreement", drafted.agreement.pk))
    assert response.status_code == 200
    page = text(response)
    assert drafted.agreement.number in page
    assert drafted.agreement.application.organization.name in page
    assert says(response, "Enter the organisation's bank details.")
    assert url("agreement-edit", drafted.agreement.pk) in page
    assert url("agreement-prepare", drafted.agreement.pk) in page
    line = drafted.agreement.budget_lines.first()
    assert line.description in page
    for tranche in drafted.tranches:
        assert url("tranche-pay", tranche.pk) not in page


def test_the_organisation_reads_its_agreement_without_the_officers_buttons(client, running):
    client.force_login(running.applicant)
    response = client.get(url("agreement", running.agreement.pk))
    assert response.status_code == 200
    page = text(response)
    assert running.agreement.number in page
    assert url("signed-scan", running.agreement.pk) in page
    for name in ("visit-create", "agreement-terminate"):
        assert url(name, running.agreement.pk) not in page
    assert url("tranche-pay", running.tranches[1].pk) not in page
    assert url("report", running.reports[0].pk) in page


def test_the_officer_sees_each_tranche_payable_or_why_not(client, signed):
    client.force_login(signed.officer)
    response = client.get(url("agreement", signed.agreement.pk))
    first, second = signed.tranches
    assert url("tranche-pay", first.pk) in text(response)
    assert url("tranche-pay", second.pk) not in text(response)
    assert says(response, "Its condition is not met: report %(number)s has not been accepted.")


def test_while_the_pdfs_are_rendered_the_page_says_so(client, db):
    grant = prepared_agreement(render=False)
    client.force_login(grant.officer)
    response = client.get(url("agreement", grant.agreement.pk))
    assert says(response, "The PDFs are being rendered.")
    assert url("agreement-sign", grant.agreement.pk) in text(response)


def test_a_failed_pdf_can_be_retried_from_the_page(client, prepared):
    document = prepared.agreement.documents.first()
    AgreementDocument.objects.filter(pk=document.pk).update(status=AgreementDocument.Status.FAILED)
    client.force_login(prepared.officer)
    response = client.get(url("agreement", prepared.agreement.pk))
    assert url("agreement-document-retry", document.pk) in text(response)


def test_the_organisation_sees_only_the_visits_addressed_to_it(client, signed):
    data = {"visitors": "Асанов Б.", "rating": "good", "visited_on": timezone.localdate()}
    shared = implementation.record_visit(
        user=signed.officer,
        agreement=signed.agreement,
        data={**data, "findings": "Баары жакшы.", "shared_with_organization": True},
        files=[png("shared.png")],
    )
    implementation.record_visit(
        user=signed.officer,
        agreement=signed.agreement,
        data={**data, "findings": "Ички эскертүү.", "shared_with_organization": False},
        files=[png("internal.png")],
    )
    client.force_login(signed.applicant)
    page = text(client.get(url("agreement", signed.agreement.pk)))
    assert "Баары жакшы." in page
    assert "shared.png" in page
    assert "Ички эскертүү." not in page
    assert "internal.png" not in page
    assert url("visit-file", shared.pk, shared.files.get().pk) in page
    client.force_login(signed.officer)
    page = text(client.get(url("agreement", signed.agreement.pk)))
    assert "Баары жакшы." in page
    assert "Ички эскертүү." in page


def test_the_history_lists_what_happened(client, running):
    client.force_login(running.officer)
    response = client.get(url("agreement", running.agreement.pk))
    for action in ("agreement drafted", "agreement signed", "tranche paid"):
        assert says(response, action)


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("other_officer", not_found)],
)
def test_nobody_else_reads_the_agreement(request, client, drafted, who, answer):
    sign_in(client, request, drafted, who)
    assert answer(client.get(url("agreement", drafted.agreement.pk)))


def test_the_working_page_answers_only_get(client, drafted):
    client.force_login(drafted.officer)
    assert client.post(url("agreement", drafted.agreement.pk)).status_code == 405
    assert client.put(url("agreement", drafted.agreement.pk)).status_code == 405


def _grant_of_size(n: int):
    """A signed grant, the first tranche paid, with ``n`` reports, ``n`` tranches and ``n``
    visits with a file each (and one report accepted)."""
    grant = drafted_agreement()
    agreement = grant.agreement
    start = agreement.start_date
    end = start + datetime.timedelta(days=30 * (n + 1))
    reports = [
        {
            "kind": Report.Kind.INTERIM if number < n else Report.Kind.FINAL,
            "period_end": start + datetime.timedelta(days=30 * number) if number < n else end,
            "due_date": (start + datetime.timedelta(days=30 * number) if number < n else end)
            + datetime.timedelta(days=10),
        }
        for number in range(1, n + 1)
    ]
    later = [Decimal(1000)] * (n - 1)
    tranches = [
        {
            "amount": agreement.amount - sum(later),
            "due_date": start,
            "condition": Tranche.Condition.SIGNATURE,
            "report_number": None,
        },
        *(
            {
                "amount": amount,
                "due_date": start + datetime.timedelta(days=30 * number + 20),
                "condition": Tranche.Condition.REPORT,
                "report_number": number,
            }
            for number, amount in enumerate(later, start=1)
        ),
    ]
    terms = {"start_date": start, "end_date": end, **BANK}
    implementation.save_agreement(
        user=grant.officer, agreement=agreement, terms=terms, reports=reports, tranches=tranches
    )
    with TestCase.captureOnCommitCallbacks(execute=False):
        implementation.prepare_agreement(user=grant.officer, agreement=agreement)
    ready(grant)
    implementation.mark_signed(
        user=grant.officer, agreement=agreement, signed_on=timezone.localdate(), scan=pdf_upload()
    )
    grant.refresh()
    implementation.pay_tranche(
        user=grant.officer,
        tranche=grant.tranches[0],
        paid_on=timezone.localdate(),
        reference="ПП-1",
    )
    grant.refresh()
    accepted_report(grant, 1)
    for index in range(n):
        implementation.record_visit(
            user=grant.officer,
            agreement=grant.agreement,
            data={
                "visited_on": timezone.localdate(),
                "visitors": "Асанов Б.",
                "findings": f"Табылга {index}.",
                "rating": "good",
                "shared_with_organization": bool(index % 2),
            },
            files=[png(f"visit-{index}.png")],
        )
    return grant.refresh()


def _detail_queries(client, n: int, who: str) -> int:
    grant = _grant_of_size(n)
    assert len(grant.tranches) == n
    assert len(grant.reports) == n
    client.force_login(grant.officer if who == "officer" else grant.applicant)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("agreement", grant.agreement.pk))
    assert response.status_code == 200
    assert len(response.context["tranche_rows"]) == n
    return len(queries)


@pytest.mark.parametrize("who", ["officer", "applicant"])
def test_the_working_page_keeps_a_constant_query_count(client, db, who):
    assert _detail_queries(client, 2, who) == _detail_queries(client, 5, who)


# Terms and schedule


def edit_data(grant, *, reports=None, tranches=None, **terms) -> dict:
    """POST data of the edit page: the agreement's terms and schedule as they are, with
    ``terms`` changed and ``reports`` / ``tranches`` rows instead of the stored ones."""
    agreement = grant.agreement
    data = {
        "save": "",
        "start_date": agreement.start_date,
        "end_date": agreement.end_date,
        "bank_name": agreement.bank_name,
        "bank_bic": agreement.bank_bic,
        "bank_account": agreement.bank_account,
        **terms,
    }
    if reports is None:
        reports = [
            {"kind": r.kind, "period_end": r.period_end, "due_date": r.due_date}
            for r in grant.reports
        ]
    if tranches is None:
        tranches = [
            {
                "amount": t.amount,
                "due_date": t.due_date,
                "condition": t.condition,
                "report_number": t.condition_report.number if t.condition_report else "",
            }
            for t in grant.tranches
        ]
    for prefix, rows in (("reports", reports), ("tranches", tranches)):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = 0
        for index, row in enumerate(rows):
            for name, value in row.items():
                if value not in (None, ""):
                    data[f"{prefix}-{index}-{name}"] = value
    return data


def test_the_officer_sees_the_terms_and_schedule_to_edit(client, drafted):
    client.force_login(drafted.officer)
    response = client.get(url("agreement-edit", drafted.agreement.pk))
    assert response.status_code == 200
    assert BANK["bank_account"] in text(response)
    # The stored rows and one empty row each.
    assert response.context["reports"].total_form_count() == len(drafted.reports) + 1
    assert response.context["tranches"].total_form_count() == len(drafted.tranches) + 1


def test_the_officer_changes_the_terms_and_the_schedule(client, drafted):
    agreement = drafted.agreement
    final = drafted.reports[-1]
    interim = drafted.reports[0]
    tranches = [
        {"amount": "60000", "due_date": days(1), "condition": "signature"},
        {"amount": "30000", "due_date": days(60), "condition": "report", "report_number": 2},
        {"amount": "30000", "due_date": days(120), "condition": "report", "report_number": 1},
    ]
    # The final report first on the page: the portal orders reports by their period.
    reports = [
        {"kind": "final", "period_end": final.period_end, "due_date": final.due_date},
        {"kind": "interim", "period_end": interim.period_end, "due_date": interim.due_date},
    ]
    client.force_login(drafted.officer)
    response = client.post(
        url("agreement-edit", agreement.pk),
        edit_data(drafted, reports=reports, tranches=tranches, bank_bic=" 135 002 "),
    )
    assert response.status_code == 302
    assert response["Location"] == url("agreement", agreement.pk)
    assert told(response, "The terms and the schedule are saved.")
    grant = drafted.refresh()
    assert grant.agreement.bank_bic == "135002"
    assert [(t.amount, t.condition_report and t.condition_report.kind) for t in grant.tranches] == [
        (Decimal(60000), None),
        (Decimal(30000), "interim"),
        (Decimal(30000), "final"),
    ]
    assert ImplementationEvent.objects.filter(
        agreement=agreement, action=ImplementationEvent.Action.EDITED
    ).exists()


def test_a_schedule_that_does_not_add_up_is_refused(client, drafted):
    before = schedule(drafted)
    tranches = [
        {"amount": "50000", "due_date": days(1), "condition": "signature"},
        {"amount": "50000", "due_date": days(60), "condition": "report", "report_number": 1},
    ]
    client.force_login(drafted.officer)
    response = client.post(
        url("agreement-edit", drafted.agreement.pk),
        edit_data(drafted, tranches=tranches, bank_name="Башка банк"),
    )
    assert response.status_code == 400
    assert says(
        response, "The tranches add up to %(total)s; they must add up to the grant, %(amount)s."
    )
    assert schedule(drafted) == before
    assert drafted.refresh().agreement.bank_name == BANK["bank_name"]


def test_the_schedule_needs_a_final_report(client, drafted):
    before = schedule(drafted)
    reports = [
        {"kind": "interim", "period_end": r.period_end, "due_date": r.due_date}
        for r in drafted.reports
    ]
    client.force_login(drafted.officer)
    response = client.post(
        url("agreement-edit", drafted.agreement.pk), edit_data(drafted, reports=reports)
    )
    assert response.status_code == 400
    assert says(response, "The schedule needs exactly one final report.")
    assert schedule(drafted) == before


def test_a_tranche_naming_a_removed_report_is_refused(client, drafted):
    before = schedule(drafted)
    data = edit_data(drafted)
    data["reports-0-DELETE"] = "on"  # the interim report, which tranche 2 waits for
    client.force_login(drafted.officer)
    response = client.post(url("agreement-edit", drafted.agreement.pk), data)
    assert response.status_code == 400
    assert says(response, "Tranche %(number)s: choose the report whose acceptance releases it.")
    assert schedule(drafted) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_date": "2020-01-01"}, "The grant cannot end before it starts."),
        ({"start_date": "31.02.2026"}, "Enter a valid date."),
        ({"bank_bic": "12"}, "A BIC has six to eight digits or letters."),
    ],
)
def test_bad_terms_are_refused(client, drafted, change, message):
    before = schedule(drafted)
    client.force_login(drafted.officer)
    response = client.post(
        url("agreement-edit", drafted.agreement.pk), edit_data(drafted, **change)
    )
    assert response.status_code == 400
    assert says(response, message)
    assert schedule(drafted) == before
    assert (
        GrantAgreement.objects.get(pk=drafted.agreement.pk).start_date
        == drafted.agreement.start_date
    )


def test_a_bad_amount_or_a_missing_report_is_refused_on_its_row(client, drafted):
    tranches = [
        {"amount": "abc", "due_date": days(1), "condition": "signature"},
        {"amount": "-5", "due_date": days(60), "condition": "report"},
    ]
    client.force_login(drafted.officer)
    response = client.post(
        url("agreement-edit", drafted.agreement.pk), edit_data(drafted, tranches=tranches)
    )
    assert response.status_code == 400
    assert says(response, "Enter a number.")
    assert says(response, "Choose the report whose acceptance releases it.")


def test_adding_a_row_keeps_the_input_and_saves_nothing(client, drafted):
    before = schedule(drafted)
    data = edit_data(drafted, bank_name="Жаңы банк")
    del data["save"]
    data["add-reports"] = ""
    client.force_login(drafted.officer)
    response = client.post(url("agreement-edit", drafted.agreement.pk), data)
    assert response.status_code == 200
    assert response.context["reports"].total_form_count() == len(drafted.reports) + 1
    assert "Жаңы банк" in text(response)
    # The new report can be chosen for a tranche.
    assert response.context["tranches"].forms[0].fields["report_number"].choices[-1][0] == 3
    assert schedule(drafted) == before
    assert drafted.refresh().agreement.bank_name == BANK["bank_name"]


def test_only_a_draft_is_edited(client, prepared):
    client.force_login(prepared.officer)
    before = schedule(prepared)
    response = client.get(url("agreement-edit", prepared.agreement.pk))
    assert response.status_code == 302
    assert response["Location"] == url("agreement", prepared.agreement.pk)
    assert told(response, "The terms can be changed only while the agreement is a draft.")
    # Prepared meanwhile (another officer): what was typed comes back with 409, nothing saved.
    data = edit_data(prepared)
    data["bank_name"] = "Жаңы банк"
    response = client.post(url("agreement-edit", prepared.agreement.pk), data)
    assert response.status_code == 409
    assert "Жаңы банк" in text(response)
    assert says(response, "The terms can be changed only while the agreement is a draft.")
    assert schedule(prepared) == before
    prepared.agreement.refresh_from_db()
    assert prepared.agreement.bank_name != "Жаңы банк"


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        (None, sends_to_login),
        ("outsider", not_found),
        ("other_officer", not_found),
        ("applicant", denied),
    ],
)
def test_only_the_officer_edits_the_terms(request, client, drafted, who, answer):
    before = schedule(drafted)
    sign_in(client, request, drafted, who)
    assert answer(client.get(url("agreement-edit", drafted.agreement.pk)))
    assert answer(client.post(url("agreement-edit", drafted.agreement.pk), edit_data(drafted)))
    assert schedule(drafted) == before


def test_editing_answers_get_and_post_only(client, drafted):
    client.force_login(drafted.officer)
    assert client.put(url("agreement-edit", drafted.agreement.pk)).status_code == 405


# Preparing, returning to draft, signing


def test_the_officer_prepares_the_agreement_for_signing(client, drafted):
    client.force_login(drafted.officer)
    response = client.post(url("agreement-prepare", drafted.agreement.pk))
    assert response.status_code == 302
    assert told(response, "The agreement is prepared for signing; its PDFs are being rendered.")
    agreement = drafted.refresh().agreement
    assert agreement.status == GrantAgreement.Status.PREPARED
    assert sorted(agreement.documents.values_list("language", flat=True)) == ["ky", "ru"]


def test_an_agreement_without_bank_details_is_not_prepared(client, drafted):
    GrantAgreement.objects.filter(pk=drafted.agreement.pk).update(bank_account="")
    client.force_login(drafted.officer)
    response = client.post(url("agreement-prepare", drafted.agreement.pk))
    assert response.status_code == 409
    assert told(response, "Enter the organisation's bank details.")
    agreement = drafted.refresh().agreement
    assert agreement.status == GrantAgreement.Status.DRAFT
    assert not agreement.documents.exists()


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        (None, sends_to_login),
        ("outsider", not_found),
        ("other_officer", not_found),
        ("applicant", denied),
    ],
)
def test_only_the_officer_prepares(request, client, drafted, who, answer):
    sign_in(client, request, drafted, who)
    assert answer(client.post(url("agreement-prepare", drafted.agreement.pk)))
    assert drafted.refresh().agreement.status == GrantAgreement.Status.DRAFT


def test_preparing_answers_only_post(client, drafted):
    client.force_login(drafted.officer)
    assert client.get(url("agreement-prepare", drafted.agreement.pk)).status_code == 405
    assert drafted.refresh().agreement.status == GrantAgreement.Status.DRAFT


def test_the_officer_returns_a_prepared_agreement_to_draft(client, prepared):
    client.force_login(prepared.officer)
    response = client.post(
        url("agreement-reopen", prepared.agreement.pk), {"note": "Банктын эсеби ката."}
    )
    assert response.status_code == 302
    assert prepared.refresh().agreement.status == GrantAgreement.Status.DRAFT
    event = ImplementationEvent.objects.get(
        agreement=prepared.agreement, action=ImplementationEvent.Action.REOPENED
    )
    assert event.note == "Банктын эсеби ката."


def test_returning_to_draft_needs_a_note(client, prepared):
    client.force_login(prepared.officer)
    response = client.post(url("agreement-reopen", prepared.agreement.pk), {"note": " "})
    assert response.status_code == 400
    assert says(response, REQUIRED)
    assert prepared.refresh().agreement.status == GrantAgreement.Status.PREPARED


def test_a_draft_is_not_returned_to_draft(client, drafted):
    client.force_login(drafted.officer)
    response = client.post(url("agreement-reopen", drafted.agreement.pk), {"note": "Эмне?"})
    assert response.status_code == 409
    assert told(response, "Only an agreement awaiting signature returns to draft.")
    assert not ImplementationEvent.objects.filter(action="reopened").exists()


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("applicant", denied)],
)
def test_only_the_officer_returns_to_draft(request, client, prepared, who, answer):
    sign_in(client, request, prepared, who)
    assert answer(client.post(url("agreement-reopen", prepared.agreement.pk), {"note": "x"}))
    assert prepared.refresh().agreement.status == GrantAgreement.Status.PREPARED


def test_returning_to_draft_answers_only_post(client, prepared):
    client.force_login(prepared.officer)
    assert client.get(url("agreement-reopen", prepared.agreement.pk)).status_code == 405


def test_the_officer_marks_the_agreement_signed(client, prepared):
    client.force_login(prepared.officer)
    page = client.get(url("agreement-sign", prepared.agreement.pk))
    assert page.status_code == 200
    response = client.post(
        url("agreement-sign", prepared.agreement.pk),
        {"signed_on": timezone.localdate(), "scan": pdf_upload()},
    )
    assert response.status_code == 302
    assert told(response, "The agreement is signed. The first tranche can be paid.")
    agreement = prepared.refresh().agreement
    assert agreement.status == GrantAgreement.Status.SIGNED
    assert agreement.signed_on == timezone.localdate()
    with agreement.signed_scan.open("rb") as scan:
        assert scan.read() == PDF_BYTES


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scan": "text"}, "This file type is not accepted. Upload one of: %(types)s."),
        ({"signed_on": days(3)}, "The date of signature cannot be in the future."),
        ({"signed_on": ""}, REQUIRED),
        ({"scan": None}, REQUIRED),
    ],
)
def test_a_bad_signature_is_refused(client, prepared, data, message):
    post = {"signed_on": timezone.localdate(), "scan": pdf_upload(), **data}
    if post["scan"] == "text":
        post["scan"] = text_file("signed.pdf")
    post = {key: value for key, value in post.items() if value is not None}
    client.force_login(prepared.officer)
    response = client.post(url("agreement-sign", prepared.agreement.pk), post)
    assert response.status_code == 400
    assert says(response, message)
    agreement = prepared.refresh().agreement
    assert agreement.status == GrantAgreement.Status.PREPARED
    assert not agreement.signed_scan


def test_an_agreement_is_signed_once_its_pdf_is_ready(client, db):
    grant = prepared_agreement(render=False)
    client.force_login(grant.officer)
    response = client.post(
        url("agreement-sign", grant.agreement.pk),
        {"signed_on": timezone.localdate(), "scan": pdf_upload()},
    )
    assert response.status_code == 409
    assert says(response, "The agreement's PDF is not ready yet; sign the printed PDF.")
    assert grant.refresh().agreement.status == GrantAgreement.Status.PREPARED


def test_a_draft_is_not_signed(client, drafted):
    client.force_login(drafted.officer)
    response = client.get(url("agreement-sign", drafted.agreement.pk))
    assert response.status_code == 302
    assert told(response, "Only an agreement prepared for signing can be marked signed.")
    response = client.post(
        url("agreement-sign", drafted.agreement.pk),
        {"signed_on": timezone.localdate(), "scan": pdf_upload()},
    )
    assert response.status_code == 409
    assert drafted.refresh().agreement.status == GrantAgreement.Status.DRAFT


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        (None, sends_to_login),
        ("outsider", not_found),
        ("other_officer", not_found),
        ("applicant", denied),
    ],
)
def test_only_the_officer_marks_signed(request, client, prepared, who, answer):
    sign_in(client, request, prepared, who)
    assert answer(client.get(url("agreement-sign", prepared.agreement.pk)))
    post = {"signed_on": timezone.localdate(), "scan": pdf_upload()}
    assert answer(client.post(url("agreement-sign", prepared.agreement.pk), post))
    assert prepared.refresh().agreement.status == GrantAgreement.Status.PREPARED


def test_signing_answers_get_and_post_only(client, prepared):
    client.force_login(prepared.officer)
    assert client.put(url("agreement-sign", prepared.agreement.pk)).status_code == 405


# Tranches


def test_the_officer_records_the_first_payment(client, signed):
    tranche = signed.tranches[0]
    client.force_login(signed.officer)
    response = client.post(
        url("tranche-pay", tranche.pk),
        {
            f"tranche-{tranche.pk}-paid_on": timezone.localdate(),
            f"tranche-{tranche.pk}-reference": "ПП-7",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("agreement", signed.agreement.pk)
    tranche.refresh_from_db()
    assert (tranche.paid_on, tranche.payment_reference) == (timezone.localdate(), "ПП-7")
    assert signed.refresh().agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION


def test_a_tranche_whose_condition_is_unmet_is_not_paid(client, running):
    tranche = running.tranches[1]
    client.force_login(running.officer)
    response = client.post(
        url("tranche-pay", tranche.pk),
        {
            f"tranche-{tranche.pk}-paid_on": timezone.localdate(),
            f"tranche-{tranche.pk}-reference": "ПП-8",
        },
    )
    assert response.status_code == 409
    assert told(response, "Its condition is not met: report %(number)s has not been accepted.")
    tranche.refresh_from_db()
    assert tranche.paid_on is None
    assert not ImplementationEvent.objects.filter(tranche=tranche).exists()


def test_once_its_report_is_accepted_the_tranche_is_paid(client, running):
    accepted_report(running, 1)
    tranche = running.tranches[1]
    client.force_login(running.officer)
    assert url("tranche-pay", tranche.pk) in text(
        client.get(url("agreement", running.agreement.pk))
    )
    response = client.post(
        url("tranche-pay", tranche.pk),
        {
            f"tranche-{tranche.pk}-paid_on": timezone.localdate(),
            f"tranche-{tranche.pk}-reference": "ПП-9",
        },
    )
    assert response.status_code == 302
    tranche.refresh_from_db()
    assert tranche.is_paid


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reference": ""}, REQUIRED),
        ({"paid_on": "2026-13-01"}, "Enter a valid date."),
        ({"paid_on": "tomorrow"}, "Enter a valid date."),
        ({"paid_on": "future"}, "The date of payment cannot be in the future."),
    ],
)
def test_a_bad_payment_is_refused(client, signed, data, message):
    tranche = signed.tranches[0]
    post = {"paid_on": timezone.localdate(), "reference": "ПП-7", **data}
    if post["paid_on"] == "future":
        post["paid_on"] = days(2)
    client.force_login(signed.officer)
    response = client.post(
        url("tranche-pay", tranche.pk), {f"tranche-{tranche.pk}-{k}": v for k, v in post.items()}
    )
    assert response.status_code == 400
    assert says(response, message)
    tranche.refresh_from_db()
    assert tranche.paid_on is None
    assert signed.refresh().agreement.status == GrantAgreement.Status.SIGNED


@pytest.mark.parametrize(
    ("who", "answer"),
    [
        (None, sends_to_login),
        ("outsider", not_found),
        ("other_officer", not_found),
        ("applicant", denied),
    ],
)
def test_only_the_officer_records_payments(request, client, signed, who, answer):
    tranche = signed.tranches[0]
    sign_in(client, request, signed, who)
    post = {
        f"tranche-{tranche.pk}-paid_on": timezone.localdate(),
        f"tranche-{tranche.pk}-reference": "x",
    }
    assert answer(client.post(url("tranche-pay", tranche.pk), post))
    tranche.refresh_from_db()
    assert tranche.paid_on is None


def test_paying_answers_only_post(client, signed):
    client.force_login(signed.officer)
    assert client.get(url("tranche-pay", signed.tranches[0].pk)).status_code == 405


# Termination and returns


def test_the_officer_terminates_a_running_grant(client, running):
    client.force_login(running.officer)
    page = client.get(url("agreement-terminate", running.agreement.pk))
    assert page.status_code == 200
    response = client.post(
        url("agreement-terminate", running.agreement.pk),
        {"reason": "Долбоор токтотулду.", "amount_to_return": "20000"},
    )
    assert response.status_code == 302
    assert told(response, "The agreement is terminated.")
    agreement = running.refresh().agreement
    assert agreement.status == GrantAgreement.Status.TERMINATED
    assert agreement.amount_to_return == Decimal(20000)
    page = client.get(url("agreement", agreement.pk))
    assert "Долбоор токтотулду." in text(page)
    assert url("funds-return", agreement.pk) in text(page)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, REQUIRED),
        (
            {"amount_to_return": "-1"},
            "Ensure this value is greater than or equal to %(limit_value)s.",
        ),
        (
            {"amount_to_return": "70000"},
            "The amount to return must be between zero and the %(paid)s paid.",
        ),
    ],
)
def test_a_bad_termination_is_refused(client, running, data, message):
    client.force_login(running.officer)
    post = {"reason": "Долбоор токтотулду.", "amount_to_return": "0", **data}
    response = client.post(url("agreement-terminate", running.agreement.pk), post)
    assert response.status_code == 400
    assert says(response, message)
    assert running.refresh().agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION


def test_a_draft_is_not_terminated(client, drafted):
    client.force_login(drafted.officer)
    response = client.get(url("agreement-terminate", drafted.agreement.pk))
    assert response.status_code == 302
    assert told(response, "Only a signed agreement that has not ended can be terminated.")
    response = client.post(
        url("agreement-terminate", drafted.agreement.pk),
        {"reason": "x", "amount_to_return": "0"},
    )
    assert response.status_code == 409
    assert drafted.refresh().agreement.status == GrantAgreement.Status.DRAFT


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("applicant", denied)],
)
def test_only_the_officer_terminates(request, client, running, who, answer):
    sign_in(client, request, running, who)
    address = url("agreement-terminate", running.agreement.pk)
    assert answer(client.get(address))
    assert answer(client.post(address, {"reason": "x", "amount_to_return": "0"}))
    assert running.refresh().agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION


def test_terminating_answers_get_and_post_only(client, running):
    client.force_login(running.officer)
    assert client.put(url("agreement-terminate", running.agreement.pk)).status_code == 405


@pytest.fixture
def terminated(running):
    implementation.terminate_agreement(
        user=running.officer,
        agreement=running.agreement,
        reason="Токтотулду.",
        amount_to_return=Decimal(20000),
    )
    return running.refresh()


def test_the_officer_records_a_return(client, terminated):
    client.force_login(terminated.officer)
    response = client.post(
        url("funds-return", terminated.agreement.pk), {"amount": "15000", "note": "ПП-55"}
    )
    assert response.status_code == 302
    assert told(response, "The return of funds is recorded.")
    assert terminated.refresh().agreement.amount_returned == Decimal(15000)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("25000", "The amount must be more than zero and at most the %(due)s outstanding."),
        ("0", "Ensure this value is greater than or equal to %(limit_value)s."),
        ("", REQUIRED),
    ],
)
def test_a_bad_return_is_refused(client, terminated, amount, message):
    client.force_login(terminated.officer)
    response = client.post(url("funds-return", terminated.agreement.pk), {"amount": amount})
    assert response.status_code == 400
    assert says(response, message)
    assert terminated.refresh().agreement.amount_returned == 0


def test_a_running_grant_takes_no_return(client, running):
    client.force_login(running.officer)
    response = client.post(url("funds-return", running.agreement.pk), {"amount": "100"})
    assert response.status_code == 409
    assert told(response, "Returns are recorded for a terminated agreement.")
    assert running.refresh().agreement.amount_returned == 0


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("applicant", denied)],
)
def test_only_the_officer_records_returns(request, client, terminated, who, answer):
    sign_in(client, request, terminated, who)
    assert answer(client.post(url("funds-return", terminated.agreement.pk), {"amount": "100"}))
    assert terminated.refresh().agreement.amount_returned == 0


def test_returns_answer_only_post(client, terminated):
    client.force_login(terminated.officer)
    assert client.get(url("funds-return", terminated.agreement.pk)).status_code == 405


# Monitoring visits


def visit_post(**overrides) -> dict:
    return {
        "visited_on": timezone.localdate(),
        "visitors": "Асанов Б., Осмонова Д.",
        "findings": "Тренингдер өтүп жатат.",
        "rating": "concerns",
        "shared_with_organization": "on",
        **overrides,
    }


def test_the_officer_records_a_visit_with_files(client, signed):
    client.force_login(signed.officer)
    assert client.get(url("visit-create", signed.agreement.pk)).status_code == 200
    response = client.post(
        url("visit-create", signed.agreement.pk),
        visit_post(files=[png("a.png"), pdf_upload("act.pdf")]),
    )
    assert response.status_code == 302
    assert told(response, "The monitoring visit is recorded.")
    visit = MonitoringVisit.objects.get(agreement=signed.agreement)
    assert visit.rating == "concerns"
    assert visit.shared_with_organization
    assert sorted(visit.files.values_list("original_name", flat=True)) == ["a.png", "act.pdf"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"files": "text"}, "This file type is not accepted. Upload one of: %(types)s."),
        ({"visited_on": "future"}, "The date of the visit cannot be in the future."),
        ({"findings": ""}, REQUIRED),
        (
            {"rating": "excellent"},
            "Select a valid choice. %(value)s is not one of the available choices.",
        ),
    ],
)
def test_a_bad_visit_is_refused(client, signed, change, message):
    post = visit_post(**change)
    if post.get("files") == "text":
        post["files"] = [png(), text_file("notes.pdf")]
    if post["visited_on"] == "future":
        post["visited_on"] = days(1)
    client.force_login(signed.officer)
    response = client.post(url("visit-create", signed.agreement.pk), post)
    assert response.status_code == 400
    assert says(response, message)
    assert not MonitoringVisit.objects.exists()


def test_no_visit_before_signature(client, prepared):
    client.force_login(prepared.officer)
    response = client.get(url("visit-create", prepared.agreement.pk))
    assert response.status_code == 302
    assert told(response, "Visits are recorded once the agreement is signed.")
    response = client.post(url("visit-create", prepared.agreement.pk), visit_post())
    assert response.status_code == 409
    assert not MonitoringVisit.objects.exists()


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("applicant", denied)],
)
def test_only_the_officer_records_visits(request, client, signed, who, answer):
    sign_in(client, request, signed, who)
    assert answer(client.get(url("visit-create", signed.agreement.pk)))
    assert answer(client.post(url("visit-create", signed.agreement.pk), visit_post()))
    assert not MonitoringVisit.objects.exists()


def test_recording_a_visit_answers_get_and_post_only(client, signed):
    client.force_login(signed.officer)
    assert client.put(url("visit-create", signed.agreement.pk)).status_code == 405


# Downloads


@pytest.fixture
def rendered(db):
    return prepared_agreement(render=True)


@pytest.mark.parametrize("who", ["officer", "applicant"])
def test_the_parties_download_the_pdf(request, client, rendered, who):
    document = rendered.agreement.documents.get(language="ky")
    sign_in(client, request, rendered, who)
    response = client.get(url("agreement-document", rendered.agreement.pk, document.pk))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert document.filename in response["Content-Disposition"]
    assert download(response).startswith(b"%PDF")


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("other_officer", not_found)],
)
def test_nobody_else_downloads_the_pdf(request, client, rendered, who, answer):
    document = rendered.agreement.documents.get(language="ky")
    sign_in(client, request, rendered, who)
    assert answer(client.get(url("agreement-document", rendered.agreement.pk, document.pk)))


def test_a_pdf_not_rendered_or_of_another_agreement_is_404(client, db):
    grant = prepared_agreement(render=False)
    document = grant.agreement.documents.get(language="ky")
    client.force_login(grant.officer)
    assert not_found(client.get(url("agreement-document", grant.agreement.pk, document.pk)))
    other = drafted_agreement()
    client.force_login(other.officer)
    assert not_found(client.get(url("agreement-document", other.agreement.pk, document.pk)))


def test_downloading_the_pdf_answers_only_get(client, prepared):
    document = prepared.agreement.documents.first()
    client.force_login(prepared.officer)
    address = url("agreement-document", prepared.agreement.pk, document.pk)
    assert client.post(address).status_code == 405


def test_a_failed_pdf_is_queued_again(client, prepared):
    document = prepared.agreement.documents.first()
    AgreementDocument.objects.filter(pk=document.pk).update(status=AgreementDocument.Status.FAILED)
    client.force_login(prepared.officer)
    response = client.post(url("agreement-document-retry", document.pk))
    assert response.status_code == 302
    assert told(response, "The document is queued again.")
    document.refresh_from_db()
    assert document.status == AgreementDocument.Status.QUEUED


def test_only_a_failed_pdf_is_retried(client, prepared):
    document = prepared.agreement.documents.first()
    client.force_login(prepared.officer)
    response = client.post(url("agreement-document-retry", document.pk))
    assert response.status_code == 409
    assert told(response, "Only a failed document can be rendered again.")
    document.refresh_from_db()
    assert document.status == AgreementDocument.Status.DONE


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("applicant", denied)],
)
def test_only_the_officer_retries(request, client, prepared, who, answer):
    document = prepared.agreement.documents.first()
    AgreementDocument.objects.filter(pk=document.pk).update(status=AgreementDocument.Status.FAILED)
    sign_in(client, request, prepared, who)
    assert answer(client.post(url("agreement-document-retry", document.pk)))
    document.refresh_from_db()
    assert document.status == AgreementDocument.Status.FAILED


def test_retrying_answers_only_post(client, prepared):
    client.force_login(prepared.officer)
    address = url("agreement-document-retry", prepared.agreement.documents.first().pk)
    assert client.get(address).status_code == 405


@pytest.mark.parametrize("who", ["officer", "applicant"])
def test_the_parties_download_the_signed_scan(request, client, signed, who):
    sign_in(client, request, signed, who)
    response = client.get(url("signed-scan", signed.agreement.pk))
    assert response.status_code == 200
    assert f"{signed.agreement.number}-signed.pdf" in response["Content-Disposition"]
    assert download(response) == PDF_BYTES


@pytest.mark.parametrize(
    ("who", "answer"),
    [(None, sends_to_login), ("outsider", not_found), ("other_officer", not_found)],
)
def test_nobody_else_downloads_the_signed_scan(request, client, signed, who, answer):
    sign_in(client, request, signed, who)
    assert answer(client.get(url("signed-scan", signed.agreement.pk)))


def test_there_is_no_scan_before_signature(client, prepared):
    client.force_login(prepared.officer)
    assert not_found(client.get(url("signed-scan", prepared.agreement.pk)))
    client.force_login(prepared.officer)
    assert client.post(url("signed-scan", prepared.agreement.pk)).status_code == 405


@pytest.fixture
def visits(signed):
    def record(shared, name):
        return implementation.record_visit(
            user=signed.officer,
            agreement=signed.agreement,
            data={
                "visited_on": timezone.localdate(),
                "visitors": "Асанов Б.",
                "findings": "Табылгалар.",
                "rating": "good",
                "shared_with_organization": shared,
            },
            files=[png(name)],
        )

    return signed, record(True, "shared.png"), record(False, "internal.png")


@pytest.mark.parametrize(
    ("who", "shared", "internal"),
    [("officer", 200, 200), ("applicant", 200, 404), ("outsider", 404, 404), (None, 302, 302)],
)
def test_visit_files_go_to_those_who_see_the_visit(request, client, visits, who, shared, internal):
    grant, open_visit, closed_visit = visits
    sign_in(client, request, grant, who)
    for visit, status in ((open_visit, shared), (closed_visit, internal)):
        stored = visit.files.get()
        response = client.get(url("visit-file", visit.pk, stored.pk))
        assert response.status_code == status
        if status == 200:
            assert download(response) == png_bytes()
            assert stored.original_name in response["Content-Disposition"]


def test_a_visit_file_answers_only_get(client, visits):
    grant, visit, _closed = visits
    client.force_login(grant.officer)
    assert client.post(url("visit-file", visit.pk, visit.files.get().pk)).status_code == 405
