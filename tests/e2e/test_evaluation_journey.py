"""The evaluation and the award decision in Kyrgyz, in headless Chromium: the officer
assigns reviewers automatically; two commission members, each in a browser of their
own, declare no conflict with every application, score it with justifications and
submit; the officer records the meeting and approves the decision; the decision page
follows its PDFs from queued to ready without reloading; the Kyrgyz decision PDF is
downloaded, read and verified on the public verification page.

Set-up is server side (factories and the evaluation helpers): the competition of the
officer's state body with two criteria, quorum 2 and two reviews per application, a
commission of two voting members (the chair first), and three applications submitted
before the deadline and admitted after it. Users are signed in by session cookie;
fields are found by their ``name`` and links by their ``href``; expected interface
strings come from the catalogues the server uses (``gettext`` in Kyrgyz).
"""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.templatetags.portal import som
from competitions.models import CommissionMember
from grants.models import (
    Application,
    AwardDecision,
    ConflictDeclaration,
    DecisionDocument,
    Review,
    Score,
)
from tests.competitions.factories import CriterionFactory
from tests.e2e.helpers import form_with, sign_in, submit, watch_server_errors
from tests.factories import MembershipFactory, OfficerFactory
from tests.grants.evaluation import admit, commission
from tests.grants.factories import open_competition, submitted_application
from tests.grants.helpers import close

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# name_ky, name_ru, max points, weight. A review's score is 4 × (2 × first + second).
CRITERIA = [
    ("Көйгөйдүн маанилүүлүгү жана жаңычылдыгы", "Значимость и новизна", 10, "2"),
    ("Өнөктөштүк жана уюмдун мүмкүнчүлүктөрүнүн деңгээли", "Партнёрство и потенциал", 5, "1"),
]
ORGANIZATIONS = ["Үмүт фонду", "Өнүгүү бирикмеси", "Жаңы муун борбору"]
# Per role of the commission member: the points given to each application (in the
# order above), the justification of each criterion, the review totals that follow,
# and each application's score (the mean of its two reviews).
POINTS = {
    "chair": ([9, 5], [7, 3], [3, 1]),
    "member": ([10, 4], [8, 4], [2, 2]),
}
JUSTIFICATIONS = {
    "chair": (
        "Көйгөй өтө курч: жалгыз карылардын саны өсүүдө, жаңы кызмат керек.",
        "Уюмдун өнөктөштөрү көп, тажрыйбасы жетиштүү; бүтчөмү ыңгайлуу.",
    ),
    "member": (
        "Долбоор коомчулуктун муктаждыгына түз жооп берет, жаңылыгы бар.",
        "Мүмкүнчүлүгү жакшы, бирок өнүгүү планы толук эмес; кеңири түшүндүрүү керек.",
    ),
}
TOTALS = {
    "chair": (Decimal("92.00"), Decimal("68.00"), Decimal("28.00")),
    "member": (Decimal("96.00"), Decimal("80.00"), Decimal("24.00")),
}
SCORES = (Decimal("94.00"), Decimal("74.00"), Decimal("26.00"))  # pass mark 60: two winners
PLACE = "Бишкек ш., Эмгек жана социалдык өнүгүү министрлигинин чоң залы"
MINUTES = "Комиссия бир добуштан чечим кабыл алды; көз карандылык жөнүндө маалымат жок."


def ky(msgid: str, **params) -> str:
    """``msgid`` as the Kyrgyz catalogue gives it, placeholders filled."""
    with translation.override("ky"):
        text = gettext(msgid)
    return text % params if params else text


def ky_url(name: str, *args) -> str:
    with translation.override("ky"):
        return reverse(name, args=args or None)


def ky_number(value: Decimal) -> str:
    """A score as the pages print it (``{{ value }}``) in Kyrgyz."""
    with translation.override("ky"):
        return formats.localize(value)


def ky_score(value: Decimal) -> str:
    """A score as the decision PDF prints it (``floatformat:2``) in Kyrgyz."""
    with translation.override("ky"):
        return floatformat(value, 2)


def ky_som(amount: Decimal) -> str:
    with translation.override("ky"):
        return som(amount)


def ky_label(choice) -> str:
    with translation.override("ky"):
        return str(choice.label)


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


def words(text: str) -> str:
    """Text with every run of white space (line breaks, no-break spaces) as one space."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def review_as(page: Page, base: str, seat: CommissionMember, application, criteria, index, audits):
    """On "My reviews": declare no conflict with the application, score it and submit.
    ``index`` is the application's place in ``ORGANIZATIONS``; the pages are audited
    with axe-core into ``audits`` unless it is ``None``."""
    role = seat.role
    main = page.locator("main")
    row = main.locator("tbody tr").filter(has_text=application.reference)
    expect(row).to_contain_text(application.organization.name)
    conflict_url = ky_url("grants:conflict", application.pk)
    row.locator(f"a[href='{conflict_url}']").click()
    expect(page).to_have_url(f"{base}{conflict_url}")
    expect(main).to_contain_text(application.organization.name)
    if audits is not None:
        audit(page, audits)
    declaration = form_with(page, "conflict")
    declaration.locator("input[name=conflict][value=no]").check()
    submit(page, declaration)

    # No conflict: straight to the member's own scorecard, blind to the other's scores.
    review = Review.objects.get(application=application, member=seat)
    scorecard_url = ky_url("grants:scorecard", review.pk)
    expect(page).to_have_url(f"{base}{scorecard_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky("Your declaration is recorded.")
    )
    expect(main).not_to_contain_text(ky("Other members' scores"))
    for other in JUSTIFICATIONS.values():
        for text in other:
            expect(main).not_to_contain_text(text)
    if audits is not None:
        audit(page, audits)
    form = form_with(page, f"points_{criteria[0].pk}")
    for criterion, points, justification in zip(
        criteria, POINTS[role][index], JUSTIFICATIONS[role], strict=True
    ):
        expect(form.locator("fieldset legend").filter(has_text=criterion.name_ky)).to_have_count(1)
        form.get_by_label(ky("Points (0 to %(max)d)", max=criterion.max_points)).and_(
            form.locator(f"[name=points_{criterion.pk}]")
        ).fill(str(points))
        form.locator(f"textarea[name=justification_{criterion.pk}]").fill(justification)
    submit(page, form, "button[name=submit]")

    # Submitted and locked: the member's scores and total, and the others' now shown.
    expect(page).to_have_url(f"{base}{scorecard_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky("Your scorecard is submitted and locked.")
    )
    expect(main.locator("form textarea")).to_have_count(0)
    own = main.locator("table").first
    expect(own.locator("caption")).to_contain_text(f"{ky_number(TOTALS[role][index])} / 100")
    for justification in JUSTIFICATIONS[role]:
        expect(own).to_contain_text(justification)
    others = main.locator("table").nth(1)
    if role == "chair":  # the chair scores first
        expect(main).to_contain_text(ky("No other member has submitted a scorecard yet."))
    else:
        expect(others.locator("tbody tr")).to_have_count(1)
        expect(others.locator("tbody tr td").last).to_have_text(ky_number(TOTALS["chair"][index]))
    if audits is not None:
        audit(page, audits)

    main.locator(f"a[href='{ky_url('grants:reviews')}']").first.click()
    expect(page).to_have_url(f"{base}{ky_url('grants:reviews')}")
    return review


def test_commission_scores_officer_approves_and_the_decision_pdf_verifies_in_kyrgyz(
    live_server, contexts, regions, private_media, mailoutbox, monkeypatch
):
    base = live_server.url
    server_errors: list[str] = []
    audits: list[tuple] = []  # axe-core's serious and critical findings

    # Set-up, server side.
    membership = OfficerFactory()
    officer = membership.user
    competition = open_competition(
        state_body=membership.state_body,
        reference=f"SSO-{timezone.localdate().year}-0077",
        quorum=2,
        reviews_per_application=2,
        pass_mark=Decimal(60),
    )
    reference = competition.reference
    criteria = [
        CriterionFactory(
            competition=competition,
            name_ky=name_ky,
            name_ru=name_ru,
            max_points=maximum,
            weight=Decimal(weight),
            order=order,
        )
        for order, (name_ky, name_ru, maximum, weight) in enumerate(CRITERIA, start=1)
    ]
    chair, member = commission(competition, 2)
    assert (chair.role, chair.voting, member.role, member.voting) == ("chair", True, "member", True)
    applications = []
    for name in ORGANIZATIONS:
        owner = MembershipFactory(role="owner", organization__name=name).user
        applications.append(
            submitted_application(
                owner,
                competition=competition,
                organization=owner.organization_memberships.get().organization,
            )
        )
    # Three hours ago, so that a meeting an hour ago (to the minute) is after it.
    close(competition, minutes_ago=180)
    admit(applications, officer=officer)
    for application in applications:
        application.refresh_from_db()
        assert application.status == Application.Status.ADMITTED
    winners = applications[:2]
    requested = applications[0].requested_total

    # The officer: competition page → "Evaluation" → assign reviewers automatically.
    officer_context = contexts(locale="ky-KG", accept_downloads=True)
    sign_in(officer_context, live_server, officer)
    page = officer_context.new_page()
    watch_server_errors(page, server_errors)
    main = page.locator("main")
    page.goto(f"{base}{ky_url('competitions:detail', reference)}")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    actions = main.locator("section[aria-labelledby=officer-actions]")
    evaluation_url = ky_url("grants:evaluation", reference)
    evaluation_link = actions.locator(f"a[href='{evaluation_url}']")
    expect(evaluation_link).to_have_text(ky("Evaluation"))
    expect(actions.locator(f"a[href='{ky_url('grants:decision', reference)}']")).to_have_text(
        ky("Decision")
    )
    evaluation_link.click()
    expect(page).to_have_url(f"{base}{evaluation_url}")
    assign = main.locator(f"form[action='{ky_url('grants:auto-assign', reference)}']")
    expect(assign.locator("[type=submit]")).to_have_text(ky("Assign reviewers automatically"))
    submit(page, assign)
    expect(page).to_have_url(f"{base}{evaluation_url}")
    audit(page, audits)
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky("%(count)d reviewers assigned.", count=6)
    )
    rows = main.locator("table tbody tr")
    expect(rows).to_have_count(3)
    for row, application in zip(rows.all(), applications, strict=True):
        expect(row).to_contain_text(application.reference)
        expect(row).to_contain_text(application.organization.name)
        expect(row.locator("td").nth(2).locator("li")).to_have_count(2)
        expect(row).to_contain_text(chair.full_name)
        expect(row).to_contain_text(member.full_name)
    assert Review.objects.filter(application__competition=competition, automatic=True).count() == 6

    # The two members, each in a browser of their own: "My commissions" → "My reviews",
    # then for each application the declaration and the scorecard. The chair first.
    reviews_url = ky_url("grants:reviews")
    for seat in (chair, member):
        context = contexts(locale="ky-KG")
        sign_in(context, live_server, seat.user)
        reviewer = context.new_page()
        watch_server_errors(reviewer, server_errors)
        reviewer.goto(f"{base}/ky/")
        reviewer.locator(f"nav a[href='{ky_url('competitions:my-commissions')}']").click()
        reviewer.locator(f"main a[href='{reviews_url}']").click()
        expect(reviewer).to_have_url(f"{base}{reviews_url}")
        audit(reviewer, audits)
        declare = reviewer.locator("main tbody tr a").filter(has_text=ky("Declare"))
        expect(declare).to_have_count(3)
        for index, application in enumerate(applications):
            audited = audits if index == 0 else None  # one of each page is enough
            review = review_as(reviewer, base, seat, application, criteria, index, audited)
            review.refresh_from_db()
            assert review.status == Review.Status.SUBMITTED
            assert review.total == TOTALS[seat.role][index]
        expect(declare).to_have_count(0)
        expect(reviewer.locator("main tbody tr")).to_have_count(3)
        for row in reviewer.locator("main tbody tr").all():
            expect(row.locator("td").nth(2)).to_have_text(ky("no conflict"))
            expect(row.locator("td").nth(3)).to_have_text(ky_label(Review.Status.SUBMITTED))
    assert (
        ConflictDeclaration.objects.filter(
            application__competition=competition, has_conflict=False
        ).count()
        == 6
    )
    assert set(
        Score.objects.filter(review__application__competition=competition).values_list(
            "justification", flat=True
        )
    ) == {text for texts in JUSTIFICATIONS.values() for text in texts}

    # The officer sees the provisional scores, then records the meeting: both present.
    page.reload()
    for row, score in zip(rows.all(), SCORES, strict=True):
        expect(row.locator("td").nth(4)).to_have_text(ky_number(score))
    meeting_url = ky_url("grants:meeting", reference)
    main.locator(f"a[href='{meeting_url}']").click()
    expect(page).to_have_url(f"{base}{meeting_url}")
    audit(page, audits)
    form = form_with(page, "held_at")
    held_at = (timezone.localtime() - datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    form.locator("input[name=held_at]").fill(held_at.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=place]").fill(PLACE)
    for seat in (chair, member):  # each box found by its label, the member's name
        present = form.get_by_label(seat.full_name, exact=False)
        expect(present).to_have_attribute("name", "present")
        expect(present).to_have_attribute("value", str(seat.pk))
        present.check()
    form.locator("textarea[name=minutes]").fill(MINUTES)
    submit(page, form)
    decision_url = ky_url("grants:decision", reference)
    expect(page).to_have_url(f"{base}{decision_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky("The meeting is recorded; the quorum is met.")
    )
    expect(main.locator(".alert-warning")).to_have_count(0)  # nothing stops approval
    audit(page, audits)
    ranking = main.locator("table tbody tr")
    expect(ranking).to_have_count(3)
    for row, application, score in zip(ranking.all(), applications, SCORES, strict=True):
        expect(row.locator("td").nth(1)).to_have_text(application.reference)
        expect(row.locator("td").nth(2)).to_have_text(ky_number(score))

    # Approval. Tasks run inline in the tests (tests/conftest.py, ``_isolated``: eager
    # mode for the whole process, the live server's thread included), so the PDFs would
    # be ready before the decision page first loads and its live update would never be
    # exercised. Approval therefore only records the tasks it queues on commit, as a
    # broker would hold them; while the page is open the test then delivers them, as a
    # worker would, and the page must follow the documents from queued to ready by
    # itself (static/js/progress.js polls the status fragment) without a reload.
    delivered: list[tuple] = []

    def queue_on_commit(task, *args):
        transaction.on_commit(lambda: delivered.append((task, args)))

    monkeypatch.setattr("grants.decisions.delay_on_commit", queue_on_commit)
    approve = main.locator("form[method=post]").filter(
        has=page.locator("button[type=submit]", has_text=ky("Approve the decision"))
    )
    submit(page, approve)
    expect(page).to_have_url(f"{base}{decision_url}")
    decision = AwardDecision.objects.get(competition=competition)
    assert decision.number == f"{reference}-D"
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky(
            "The decision %(number)s is approved. Its PDFs are being rendered.",
            number=decision.number,
        )
    )
    documents = list(decision.documents.all())
    assert len(documents) == 5  # the decision in Kyrgyz and in Russian, three letters
    assert len(delivered) == 5
    pdf_ky = decision.documents.get(kind=DecisionDocument.Kind.DECISION, language="ky")
    box = main.locator("#decision-documents")
    expect(box).to_have_attribute("aria-live", "polite")
    table_rows = box.locator("tbody tr")
    expect(table_rows).to_have_count(5)
    expect(box.locator("tr[data-status=queued]")).to_have_count(5)
    expect(box.locator("tr[data-status=queued] .badge").first).to_have_text(
        ky_label(DecisionDocument.Status.QUEUED)
    )
    expect(box.locator("a", has_text=ky("Download"))).to_have_count(0)

    # From here on the page must not navigate: a marker on the window survives only
    # if no reload happened, and no navigation of the main frame may be seen.
    navigations: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    page.evaluate("window.__marker = 1")
    row_ky = box.locator(f"tr[data-document='{pdf_ky.pk}']")

    # A worker takes the Kyrgyz decision: ``render_document`` first marks it running.
    DecisionDocument.objects.filter(pk=pdf_ky.pk).update(
        status=DecisionDocument.Status.RUNNING, started_at=timezone.now()
    )
    expect(row_ky).to_have_attribute("data-status", "running")
    expect(row_ky.locator(".badge")).to_have_text(ky_label(DecisionDocument.Status.RUNNING))
    for task, args in delivered:  # eager: each task renders its document here
        task.delay(*args)
    assert set(decision.documents.values_list("status", flat=True)) == {"done"}
    expect(box.locator("tr[data-status=done]")).to_have_count(5, timeout=15_000)
    expect(box.locator("[data-pending]")).to_have_attribute("data-pending", "")
    expect(row_ky.locator(".badge")).to_have_text(ky_label(DecisionDocument.Status.DONE))
    assert page.evaluate("window.__marker") == 1
    assert navigations == []
    audit(page, audits)

    # The Kyrgyz decision PDF, downloaded through the page's link.
    pdf_ky.refresh_from_db()
    link = row_ky.locator(f"a[href='{ky_url('grants:document', pdf_ky.pk)}']")
    expect(link).to_have_text(ky("Download"))
    with page.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename == f"{decision.number}-ky.pdf"
    with open(download.path(), "rb") as downloaded:
        data = downloaded.read()
    assert data.startswith(b"%PDF-")
    digest = hashlib.sha256(data).hexdigest()
    assert digest == pdf_ky.sha256
    text = pdf_text(data)
    flat = words(text)
    assert decision.number in flat, text
    assert decision.verification_code in flat, text
    for application in winners:
        assert words(application.organization.name) in flat, text
        assert application.reference in flat, text
    for score in SCORES:
        assert ky_score(score) in flat, text
    for seat in TOTALS:
        for total in TOTALS[seat]:
            assert ky_score(total) in flat, text  # each reviewer's line, anonymised
    assert words(ky_som(requested)) in flat, text
    for letter in "ңөү":
        assert letter in text, f"{letter!r} is not in the decision's text:\n{text}"
    assert words(CRITERIA[0][0]) in flat, text
    assert chair.full_name in flat, text
    assert member.full_name in flat, text
    assert page.evaluate("window.__marker") == 1  # a download is no navigation either

    # The public: the results on the competition page, then the verification page,
    # where the downloaded file is uploaded and recognised.
    visitor_context = contexts(locale="ky-KG")
    visitor = visitor_context.new_page()
    watch_server_errors(visitor, server_errors)
    visitor.goto(f"{base}{ky_url('competitions:detail', reference)}")
    results = visitor.locator("main section[aria-labelledby=results-title]")
    expect(results).to_contain_text(decision.number)
    audit(visitor, audits)
    for application, score in zip(winners, SCORES[:2], strict=True):
        row = results.locator("tbody tr").filter(has_text=application.organization.name)
        expect(row).to_contain_text(ky("awarded a grant"))
        expect(row).to_contain_text(str(score))  # frozen in the results as a string
    verify_url = ky_url("grants:verify", decision.verification_code)
    results.locator(f"a[href='{verify_url}']").click()
    expect(visitor).to_have_url(f"{base}{verify_url}")
    expect(visitor.locator("main code[data-sha256=ky]")).to_have_text(digest)

    def check(content: bytes, name: str, status: int):
        upload = form_with(visitor, "file")
        upload.locator("input[type=file]").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": content}
        )
        with visitor.expect_response(
            lambda response: (
                response.request.method == "POST" and response.request.frame == visitor.main_frame
            )
        ) as posted:
            upload.locator("[type=submit]").click()
        assert posted.value.status == status
        visitor.wait_for_load_state()
        return visitor.locator("main #verify-result")

    result = check(data, download.suggested_filename, 200)
    expect(result).to_have_class("alert alert-success")
    expect(result).to_contain_text(
        ky("This file is the approved decision (%(language)s). Its SHA-256 matches.", language="ky")
    )
    expect(result.locator("code")).to_have_text(digest)
    expect(visitor.locator("main code[data-sha256=ky]")).to_have_text(digest)
    audit(visitor, audits)

    # One byte more is another file: refused, with its own hash.
    result = check(data + b"\n", "копия.pdf", 422)
    expect(result).to_have_class("alert alert-danger")
    expect(result).to_contain_text(
        ky("This file is not the approved decision: its SHA-256 differs.")
    )
    expect(result.locator("code")).to_have_text(hashlib.sha256(data + b"\n").hexdigest())
    audit(visitor, audits)

    # Every applicant has an outcome; the winners are awarded.
    for application in applications:
        application.refresh_from_db()
    assert [a.status for a in applications] == [
        Application.Status.AWARDED,
        Application.Status.AWARDED,
        Application.Status.NOT_AWARDED,
    ]
    assert not server_errors
    assert not audits, audits
