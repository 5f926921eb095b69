"""A grant from the award decision to its second tranche, in Kyrgyz, in headless Chromium.

The officer goes from the decision page to the awarded application, drafts the
agreement, enters the bank details and keeps the proposed schedule (half of the grant
on signature, half on acceptance of interim report 1; report 2 is the final one),
prepares it for signing (its PDFs render inline, tasks being eager in the tests), marks
it signed with a PDF scan and records the payment of the first tranche. A member of the
organisation, in a browser of their own, writes interim report 1 (results and spending
per budget line) and submits it; the officer returns it with a comment; the member reads
the comment, corrects the report and submits it again; the officer accepts it, and the
second tranche, now payable, is paid.

Set-up is server side: ``decided_competition`` (tests/grants/evaluation.py) leaves a
competition decided with one application awarded 120 000 som. Users are signed in by
session cookie; controls are found by their role and accessible name or their label,
with the words the server's catalogues give in Kyrgyz (``gettext``), so the test holds
while the translations are being written. The agreement page and the report's edit page
are audited with axe-core (serious and critical findings fail the test at the end).
"""

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

from accounts.templatetags.portal import som
from grants.models import (
    AgreementDocument,
    Application,
    GrantAgreement,
    ImplementationEvent,
    Report,
    Tranche,
)
from tests.e2e.helpers import sign_in, watch_server_errors
from tests.grants.evaluation import applicant_of, decided_competition
from tests.grants.implementation import PDF_BYTES

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BANK_NAME = "«Айыл Банк» ААК, Бишкек филиалы"
BIC = "135001"
ACCOUNT = "1350 0100 1234 5678"  # typed with spaces; stored without them
ACTIVITIES = "Жалгыз карыларга үйдө кам көрүү уюштурулду: 40 адамга жумасына эки жолу барылды."
ACTIVITIES_V2 = ACTIVITIES + " Ар бир үй-бүлө менен жеке план түзүлдү."
PROBLEMS = "Кышкы мезгилде алыскы үйлөргө жетүү кыйын болду."
RETURN_COMMENT = "Чыгымдардын негиздемесин толуктаңыз: эмгек акы кайсы айлар үчүн төлөндү?"
SPENT, SPENT_V2 = Decimal("30000"), Decimal("32500")
SPENDING_COMMENT = "Үч айлык эмгек акы (сентябрь – ноябрь)."
PAYMENTS = ("ТП-0001", "ТП-0002")


def ky(msgid: str, **params) -> str:
    """``msgid`` as the Kyrgyz catalogue gives it, placeholders filled."""
    with translation.override("ky"):
        text = gettext(msgid)
    return text % params if params else text


def ky_url(name: str, *args) -> str:
    with translation.override("ky"):
        return reverse(name, args=args or None)


def ky_label(choice) -> str:
    with translation.override("ky"):
        return str(choice.label)


def ky_som(amount: Decimal) -> str:
    with translation.override("ky"):
        return som(amount)


AXE = Axe()
BLOCKING = {"serious", "critical"}  # as in test_accessibility.py


def audit(page: Page, audits: list) -> None:
    """axe-core's serious and critical findings on the page as it is, kept for the end."""
    results = AXE.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " ".join(node["target"])
            audits.append((page.url, violation["id"], target, node.get("failureSummary")))


def press(page: Page, button: Locator) -> None:
    """Press a form's button; the POST must redirect (anything else: the page's errors)."""
    with page.expect_response(
        lambda response: (
            response.request.method == "POST" and response.request.frame == page.main_frame
        )
    ) as posted:
        button.click()
    response = posted.value
    page.wait_for_load_state()
    if response.status != 302:
        errors = page.locator(
            ".invalid-feedback, .alert-danger, .alert-warning, .errorlist"
        ).all_inner_texts()
        pytest.fail(f"POST {response.url} answered {response.status}, not 302: {errors}")


def success(page: Page) -> Locator:
    return page.locator("main .messages .alert-success")


def test_officer_and_organisation_take_a_grant_from_agreement_to_second_tranche(
    live_server, contexts, regions, private_media, mailoutbox
):
    base = live_server.url
    server_errors: list[str] = []
    audits: list[tuple] = []

    # Set-up, server side: the decision approved, 120 000 som awarded to the first.
    flow = decided_competition()
    application = next(a for a in flow.applications if a.status == Application.Status.AWARDED)
    amount = application.outcome.amount
    assert amount == Decimal("120000")
    reference = flow.competition.reference
    officer, member = flow.officer, applicant_of(application)
    indicator = application.results.get().indicator
    line = application.budget_lines.get().description

    # The officer: decision page → the applications → the awarded one's agreement.
    officer_context = contexts(locale="ky-KG")
    sign_in(officer_context, live_server, officer)
    page = officer_context.new_page()
    watch_server_errors(page, server_errors)
    main = page.locator("main")
    page.goto(f"{base}{ky_url('grants:decision', reference)}")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    main.get_by_role("link", name=ky("Agreements with the awarded applicants")).click()
    expect(page).to_have_url(f"{base}{ky_url('grants:competition-applications', reference)}")
    main.get_by_role("link", name=f"{ky('Agreement')} {application.reference}").click()
    expect(page).to_have_url(f"{base}{ky_url('grants:agreement-create', application.pk)}")
    expect(main).to_contain_text(ky_som(amount))
    press(page, main.get_by_role("button", name=ky("Draft the agreement")))
    agreement = GrantAgreement.objects.get(application=application)
    assert agreement.status == GrantAgreement.Status.DRAFT
    expect(page).to_have_url(f"{base}{ky_url('grants:agreement-edit', agreement.pk)}")
    expect(success(page)).to_have_text(
        ky(
            "The agreement %(number)s is drafted. Check its terms and schedule.",
            number=agreement.number,
        )
    )

    # Terms: the bank details; the schedule proposed is kept as it is.
    main.get_by_label(ky("Bank"), exact=True).fill(BANK_NAME)
    main.get_by_label(ky("Bank identification code (BIC)")).fill(BIC)
    main.get_by_label(ky("Account number")).fill(ACCOUNT)
    kinds = main.locator("select[name$='-kind']")
    expect(kinds).to_have_count(3)  # the two reports and an empty row
    expect(kinds.nth(0)).to_have_value(Report.Kind.INTERIM)
    expect(kinds.nth(1)).to_have_value(Report.Kind.FINAL)
    conditions = main.locator("select[name$='-condition']")
    expect(conditions.nth(0)).to_have_value(Tranche.Condition.SIGNATURE)
    expect(conditions.nth(1)).to_have_value(Tranche.Condition.REPORT)
    expect(main.locator("select[name='tranches-1-report_number']")).to_have_value("1")
    press(page, main.get_by_role("button", name=ky("Save the terms and schedule")))
    agreement_url = ky_url("grants:agreement", agreement.pk)
    expect(page).to_have_url(f"{base}{agreement_url}")
    expect(success(page)).to_have_text(ky("The terms and the schedule are saved."))
    agreement.refresh_from_db()
    assert (agreement.bank_name, agreement.bank_bic) == (BANK_NAME, BIC)
    assert agreement.bank_account == ACCOUNT.replace(" ", "")
    tranches = list(agreement.tranches.order_by("number"))
    reports = list(agreement.reports.order_by("number"))
    assert [(t.amount, t.condition) for t in tranches] == [
        (amount / 2, Tranche.Condition.SIGNATURE),
        (amount / 2, Tranche.Condition.REPORT),
    ]
    assert [r.kind for r in reports] == [Report.Kind.INTERIM, Report.Kind.FINAL]
    assert tranches[1].condition_report == reports[0]
    expect(main.locator(".alert-warning")).to_have_count(0)  # nothing stops preparing
    audit(page, audits)

    # Prepared for signing: the PDFs in Kyrgyz and Russian, rendered inline.
    press(page, main.get_by_role("button", name=ky("Prepare for signing")))
    expect(page).to_have_url(f"{base}{agreement_url}")
    expect(success(page)).to_have_text(
        ky("The agreement is prepared for signing; its PDFs are being rendered.")
    )
    documents = main.locator("section[aria-labelledby=documents-title]")
    expect(documents.get_by_role("link", name=ky("Download"))).to_have_count(2)
    assert set(agreement.documents.values_list("status", flat=True)) == {
        AgreementDocument.Status.DONE
    }
    expect(main.locator("h1 ~ p .badge").first).to_have_text(
        ky_label(GrantAgreement.Status.PREPARED)
    )
    audit(page, audits)

    # Marked signed with the scan.
    main.get_by_role("link", name=ky("Mark signed")).click()
    expect(page).to_have_url(f"{base}{ky_url('grants:agreement-sign', agreement.pk)}")
    main.get_by_label(ky("Scan of the signed agreement (PDF, JPEG or PNG)")).set_input_files(
        {"name": "кол коюлган.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    press(page, main.get_by_role("button", name=ky("Mark signed")))
    expect(page).to_have_url(f"{base}{agreement_url}")
    expect(success(page)).to_have_text(
        ky("The agreement is signed. The first tranche can be paid.")
    )
    agreement.refresh_from_db()
    assert agreement.status == GrantAgreement.Status.SIGNED
    assert agreement.signed_scan_sha256
    expect(main.get_by_role("link", name=ky("Signed scan"))).to_be_visible()

    # The first tranche paid; the second waits for report 1.
    tranche_rows = main.locator("section[aria-labelledby=tranches-title] tbody tr")
    expect(tranche_rows).to_have_count(2)
    expect(tranche_rows.nth(1).locator("form")).to_have_count(0)
    first = tranche_rows.nth(0)
    first.get_by_label(ky("Payment order reference")).fill(PAYMENTS[0])
    press(page, first.get_by_role("button", name=ky("Record payment")))
    expect(page).to_have_url(f"{base}{agreement_url}")
    expect(success(page)).to_have_text(
        ky("The payment of tranche %(number)s is recorded.", number=1)
    )
    agreement.refresh_from_db()
    assert agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION
    expect(tranche_rows.nth(0)).to_contain_text(PAYMENTS[0])
    expect(tranche_rows.nth(1).locator("form")).to_have_count(0)
    expect(tranche_rows.nth(1)).to_contain_text(
        ky("Its condition is not met: report %(number)s has not been accepted.", number=1)
    )
    audit(page, audits)

    # The organisation's member: "My grants" → report 1 → edit, fill, submit.
    member_context = contexts(locale="ky-KG")
    sign_in(member_context, live_server, member)
    nco = member_context.new_page()
    watch_server_errors(nco, server_errors)
    nco_main = nco.locator("main")
    nco.goto(f"{base}/ky/")
    nco.locator("nav").get_by_role("link", name=ky("My grants")).click()
    expect(nco).to_have_url(f"{base}{ky_url('grants:my-grants')}")
    report = reports[0]
    report_url = ky_url("grants:report", report.pk)
    edit_url = ky_url("grants:report-edit", report.pk)
    nco_main.get_by_role(
        "link", name=f"{agreement.number} · {ky_label(Report.Kind.INTERIM)} 1"
    ).click()
    expect(nco).to_have_url(f"{base}{report_url}")
    nco_main.get_by_role("link", name=ky("Edit"), exact=True).click()
    expect(nco).to_have_url(f"{base}{edit_url}")
    audit(nco, audits)
    nco_main.get_by_label(ky("Activities carried out")).fill(ACTIVITIES)
    nco_main.get_by_label(ky("Beneficiaries reached")).fill("40")
    nco_main.get_by_label(ky("Problems and how they were solved")).fill(PROBLEMS)
    nco_main.get_by_label(f"{ky('Achieved')} — {indicator}").fill("38")
    spent = nco_main.get_by_label(f"{ky('Spent in this report, som')} — {line}")
    spent.fill(str(SPENT))
    press(nco, nco_main.get_by_role("button", name=ky("Save and submit")))
    expect(nco).to_have_url(f"{base}{report_url}")
    expect(success(nco)).to_have_text(
        ky("The report is saved and submitted. The customer's officers will review it.")
    )
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.spending.get().amount == SPENT
    assert report.results.get().achieved == "38"
    expect(nco_main.get_by_role("link", name=ky("Edit"), exact=True)).to_have_count(0)

    # The officer returns it with a comment.
    page.goto(f"{base}{agreement_url}")
    main.get_by_role("link", name=ky("Report %(number)s", number=1)).click()
    expect(page).to_have_url(f"{base}{report_url}")
    expect(main).to_contain_text(ACTIVITIES)
    expect(main).to_contain_text(ky_som(SPENT))
    main.get_by_label(ky("Return it for changes")).check()
    main.get_by_label(ky("Comment (the organisation sees it; required when returning)")).fill(
        RETURN_COMMENT
    )
    press(page, main.get_by_role("button", name=ky("Record the decision")))
    expect(page).to_have_url(f"{base}{report_url}")
    expect(success(page)).to_have_text(
        ky("The report is returned with your comment; the organisation is told.")
    )
    report.refresh_from_db()
    assert report.status == Report.Status.RETURNED
    assert report.review_comment == RETURN_COMMENT

    # The member sees the comment, corrects the report and submits it again.
    nco.reload()
    comment = nco_main.locator("section[aria-labelledby=comment-title]")
    expect(comment.get_by_role("heading")).to_have_text(ky("The officer's comment"))
    expect(comment).to_contain_text(RETURN_COMMENT)
    nco_main.get_by_role("link", name=ky("Edit"), exact=True).click()
    expect(nco).to_have_url(f"{base}{edit_url}")
    expect(nco_main.locator(".alert-warning")).to_contain_text(RETURN_COMMENT)
    expect(nco_main.get_by_label(ky("Activities carried out"))).to_have_value(ACTIVITIES)
    expect(spent).to_have_value(f"{SPENT:.2f}")
    nco_main.get_by_label(ky("Activities carried out")).fill(ACTIVITIES_V2)
    spent.fill(str(SPENT_V2))
    nco_main.get_by_label(f"{ky('Comment')} — {line}").fill(SPENDING_COMMENT)
    audit(nco, audits)
    press(nco, nco_main.get_by_role("button", name=ky("Save and submit")))
    expect(nco).to_have_url(f"{base}{report_url}")
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert report.activities == ACTIVITIES_V2
    spending = report.spending.get()
    assert (spending.amount, spending.comment) == (SPENT_V2, SPENDING_COMMENT)

    # The officer accepts it: the second tranche becomes payable, and is paid.
    page.reload()
    expect(main).to_contain_text(ACTIVITIES_V2)
    expect(main).to_contain_text(SPENDING_COMMENT)
    main.get_by_label(ky("Accept the report")).check()
    press(page, main.get_by_role("button", name=ky("Record the decision")))
    expect(page).to_have_url(f"{base}{report_url}")
    expect(success(page)).to_have_text(ky("The report is accepted; the organisation is told."))
    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED
    expect(main.locator("section[aria-labelledby=tranches-title]")).to_contain_text(
        ky("can be paid")
    )
    main.locator(f"a[href='{agreement_url}']").first.click()
    expect(page).to_have_url(f"{base}{agreement_url}")
    second = tranche_rows.nth(1)
    expect(
        second.locator(f"form[action='{ky_url('grants:tranche-pay', tranches[1].pk)}']")
    ).to_have_count(1)
    second.get_by_label(ky("Payment order reference")).fill(PAYMENTS[1])
    press(page, second.get_by_role("button", name=ky("Record payment")))
    expect(page).to_have_url(f"{base}{agreement_url}")
    expect(success(page)).to_have_text(
        ky("The payment of tranche %(number)s is recorded.", number=2)
    )
    expect(second).to_contain_text(PAYMENTS[1])
    expect(main.locator("form[action*='/pay/']")).to_have_count(0)
    audit(page, audits)

    agreement.refresh_from_db()
    assert agreement.status == GrantAgreement.Status.IN_IMPLEMENTATION  # the final report waits
    paid = list(agreement.tranches.order_by("number").values_list("paid_on", "payment_reference"))
    assert [reference for _on, reference in paid] == list(PAYMENTS)
    assert all(on is not None for on, _reference in paid)
    assert list(agreement.events.values_list("action", flat=True)) == [
        ImplementationEvent.Action.CREATED,
        ImplementationEvent.Action.EDITED,
        ImplementationEvent.Action.PREPARED,
        ImplementationEvent.Action.SIGNED,
        ImplementationEvent.Action.TRANCHE_PAID,
        ImplementationEvent.Action.REPORT_SUBMITTED,
        ImplementationEvent.Action.REPORT_RETURNED,
        ImplementationEvent.Action.REPORT_SUBMITTED,
        ImplementationEvent.Action.REPORT_ACCEPTED,
        ImplementationEvent.Action.TRANCHE_PAID,
    ]
    assert not server_errors
    assert not audits, audits
