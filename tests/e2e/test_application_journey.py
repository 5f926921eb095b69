"""An NCO member applies to an open competition in Kyrgyz, in headless Chromium: starts
the application from the competition page, fills every section with two budget lines,
saves the draft, uploads the required documents, submits, resubmits a change and
downloads the receipt PDF, whose text must hold the reference and the letters ң ө ү.

The member is signed in by session cookie; fields are found by their ``name`` and links
by their ``href``. Expected interface strings are taken from the catalogues the server
uses (``gettext`` in Kyrgyz), so the test holds while the translations are being written.
Tasks run inline (``tests/conftest.py``): the receipt exists as soon as the submit
answers.
"""

import datetime
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect
from pypdf import PdfReader, PdfWriter

from accounts.models import OutboundEmail, Region
from accounts.templatetags.portal import som
from grants.models import Application, ApplicationVersion, BudgetCategory
from tests.competitions.factories import ChecklistItemFactory, CompetitionFactory
from tests.e2e.helpers import form_with, sign_in, submit, watch_server_errors
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXTRA_REGION_CODE = "KG-N"  # Naryn, besides the competition's own region (Bishkek).
TITLE = "Жаңы муун: Нарындагы жалгыз карыларга үйдө кам көрүү"  # ң, ү and ө
SUMMARY = "Жалгыз жашаган улгайган адамдарга жумасына эки жолу үйдө социалдык жардам."
SUMMARY_V2 = SUMMARY + " Ысык-Көлдөгү тажрыйба боюнча өнүктүрүлөт."
DOCUMENTS = ["Уюмдун уставынын көчүрмөсү", "Долбоордун бюджетинин негиздемеси"]

# Two budget lines; in each the grant, own contribution and co-financing add up to
# quantity × unit cost. The competition (factory): grant 50 000 to 200 000 som, own
# share at least 10 %, 3 to 12 months.
BUDGET = [
    # category, description, unit, quantity, unit cost, requested, own, co-financing
    ("staff", "Кызматкерлердин эмгек акысы", "ай", "10", "12000", "100000", "12000", "8000"),
    ("materials", "Азык-түлүк топтомдору", "топтом", "50", "800", "30000", "6000", "4000"),
]
REQUESTED, OWN, COFINANCING = Decimal("130000"), Decimal("18000"), Decimal("12000")
OWN_SHARE = "11.25"  # 18 000 of 160 000


def ky(msgid: str, **params) -> str:
    """``msgid`` as the Kyrgyz catalogue gives it, placeholders filled."""
    with translation.override("ky"):
        text = gettext(msgid)
    return text % params if params else text


def ky_som(amount: Decimal) -> str:
    """An amount as the ``som`` filter shows it in Kyrgyz."""
    with translation.override("ky"):
        return som(amount)


def small_pdf(title: str) -> bytes:
    """A genuine one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_nco_member_applies_resubmits_and_downloads_the_receipt_in_kyrgyz(
    live_server, contexts, regions, private_media, mailoutbox, tmp_path
):
    base = live_server.url
    server_errors: list[str] = []
    organization = OrganizationFactory()
    member = MembershipFactory(organization=organization, role="owner").user
    assert member.language == "ky"
    assert organization.is_complete
    competition = CompetitionFactory(
        published=True, reference=f"SSO-{timezone.localdate().year}-0042"
    )
    items = [
        ChecklistItemFactory(competition=competition, name_ky=name, name_ru=name, order=order)
        for order, name in enumerate(DOCUMENTS, start=1)
    ]
    home_region = competition.regions.get()
    extra_region = Region.objects.get(code=EXTRA_REGION_CODE)
    categories = {category.slug: category for category in BudgetCategory.objects.all()}
    # Six months, starting some months after the deadline: 1 March to 31 August.
    year = timezone.localdate().year + 1
    start, end = datetime.date(year, 3, 1), datetime.date(year, 8, 31)

    context = contexts(locale="ky-KG", accept_downloads=True)
    sign_in(context, live_server, member)
    page = context.new_page()
    watch_server_errors(page, server_errors)
    main = page.locator("main")

    # The competition page: the "apply" panel starts a draft for the member's organisation.
    page.goto(f"{base}/ky/competitions/{competition.reference}/")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    apply_form = main.locator(
        f"section[aria-labelledby=apply-title] "
        f"form[action='/ky/competitions/{competition.reference}/apply/']"
    )
    expect(apply_form.locator("select[name=organization] option")).to_have_text([organization.name])
    submit(page, apply_form)
    application = Application.objects.get(competition=competition, organization=organization)
    edit_url = f"/ky/applications/{application.pk}/edit/"
    expect(page).to_have_url(f"{base}{edit_url}")
    assert application.status == Application.Status.DRAFT
    assert application.created_by == member
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky("The draft was created. It is saved whenever you press Save.")
    )

    # Every section of the form.
    form = form_with(page, "title")
    expect(form.locator("[name=budget-1-description]")).to_be_visible()  # two empty budget rows
    expect(form.locator("[name=budget-2-description]")).to_have_count(0)
    form.locator("[name=title]").fill(TITLE)
    form.locator("[name=summary]").fill(SUMMARY)
    form.locator("[name=problem]").fill(
        "Нарын облусунда 1 200дөн ашык жалгыз карылар кароосуз калган; үйдө жардам жетишсиз."
    )
    form.locator("[name=goal]").fill("Жалгыз карылардын турмуш сапатын жакшыртуу.")
    form.locator("[name=objectives]").fill(
        "1. Үйдө кам көрүү кызматын уюштуруу.\n2. Социалдык кызматкерлерди окутуу."
    )
    form.locator("[name=target_group]").fill("Нарын шаарындагы жалгыз жашаган улгайган адамдар.")
    form.locator("[name=beneficiaries]").fill("120")
    expect(form.locator(f"input[name=regions][value='{home_region.pk}']")).to_be_checked()
    form.locator(f"input[name=regions][value='{extra_region.pk}']").check()
    form.locator("[name=sustainability]").fill(
        "Долбоордон кийин кызматты шаардык мэриянын социалдык бөлүмү улантат."
    )
    form.locator("input[name=start_date]").fill(start.isoformat())
    form.locator("input[name=end_date]").fill(end.isoformat())
    form.locator("[name=activities-0-name]").fill("Кызматкерлерди тандоо жана окутуу")
    form.locator("input[name=activities-0-start]").fill(start.isoformat())
    form.locator("input[name=activities-0-end]").fill(datetime.date(year, 3, 31).isoformat())
    form.locator("[name=activities-0-responsible]").fill("Асанова Айгүл")
    form.locator("[name=results-0-indicator]").fill("Үйдө жардам алган карылардын саны")
    form.locator("[name=results-0-baseline]").fill("0")
    form.locator("[name=results-0-target]").fill("120")
    for row, (slug, description, unit, quantity, cost, requested, own, cofin) in enumerate(BUDGET):
        form.locator(f"select[name=budget-{row}-category]").select_option(str(categories[slug].pk))
        form.locator(f"[name=budget-{row}-description]").fill(description)
        form.locator(f"[name=budget-{row}-unit]").fill(unit)
        form.locator(f"[name=budget-{row}-quantity]").fill(quantity)
        form.locator(f"[name=budget-{row}-unit_cost]").fill(cost)
        form.locator(f"[name=budget-{row}-requested]").fill(requested)
        form.locator(f"[name=budget-{row}-own_contribution]").fill(own)
        form.locator(f"[name=budget-{row}-cofinancing]").fill(cofin)
    submit(page, form, "button[name=save]")

    # Saved: the message, the server's totals, two budget lines, two empty rows more.
    expect(page).to_have_url(f"{base}{edit_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(ky("The draft was saved."))
    totals = main.locator("form fieldset dl")
    for amount in (REQUESTED, OWN, COFINANCING):
        expect(totals).to_contain_text(ky_som(amount))
    expect(totals).to_contain_text(f"({OWN_SHARE}%)")
    form = form_with(page, "title")
    expect(form.locator("[name=budget-1-description]")).to_have_value(BUDGET[1][1])
    expect(form.locator("[name=budget-3-description]")).to_have_value("")
    application.refresh_from_db()
    assert (application.title, application.summary, application.beneficiaries) == (
        TITLE,
        SUMMARY,
        120,
    )
    assert (application.start_date, application.end_date) == (start, end)
    assert set(application.regions.values_list("code", flat=True)) == {
        home_region.code,
        EXTRA_REGION_CODE,
    }
    assert application.activities.count() == application.results.count() == 1
    assert [
        (line.category.slug, line.description, line.total)
        for line in application.budget_lines.select_related("category")
    ] == [(b[0], b[1], Decimal(b[3]) * Decimal(b[4])) for b in BUDGET]
    assert (application.requested_total, application.own_total) == (REQUESTED, OWN)
    assert (application.cofinancing_total, str(application.own_share_percent)) == (
        COFINANCING,
        OWN_SHARE,
    )
    assert application.status == Application.Status.DRAFT
    assert application.reference is None

    # Documents: one genuine PDF per required item.
    documents_url = f"/ky/applications/{application.pk}/documents/"
    main.locator(f"nav a[href='{documents_url}']").click()
    expect(page).to_have_url(f"{base}{documents_url}")
    uploaded = {}
    for number, item in enumerate(items, start=1):
        data = small_pdf(item.name_ky)
        path = tmp_path / f"document-{number}.pdf"
        path.write_bytes(data)
        uploaded[item.pk] = (path.name, data)
        upload = main.locator("form").filter(has=page.locator(f"input#file-{item.pk}"))
        upload.locator("input[type=file]").set_input_files(path)
        submit(page, upload)
        expect(page).to_have_url(f"{base}{documents_url}")
        expect(main.locator(".messages .alert-success")).to_have_text(
            ky("The document was attached.")
        )
        expect(main.locator("tbody tr").nth(number - 1)).to_contain_text(path.name)
    attachments = {a.checklist_item_id: a for a in application.attachments.all()}
    assert set(attachments) == {item.pk for item in items}
    for item_pk, (name, data) in uploaded.items():
        attachment = attachments[item_pk]
        assert (attachment.original_name, attachment.file_type) == (name, "pdf")
        assert attachment.sha256 == hashlib.sha256(data).hexdigest()
        assert (private_media / attachment.file.name).read_bytes() == data

    # Check and submit.
    submit_url = f"/ky/applications/{application.pk}/submit/"
    main.locator(f"nav a[href='{submit_url}']").click()
    expect(page).to_have_url(f"{base}{submit_url}")
    expect(main.locator(".alert-danger")).to_have_count(0)
    submit(page, main.locator("form[method=post]"))
    detail_url = f"/ky/applications/{application.pk}/"
    expect(page).to_have_url(f"{base}{detail_url}")
    reference = f"{competition.reference}-A001"
    application.refresh_from_db()
    assert application.reference == reference
    assert application.status == Application.Status.SUBMITTED
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky(
            "The application %(reference)s was submitted (version %(number)s). "
            "A receipt is being sent to your e-mail.",
            reference=reference,
            number=1,
        )
    )
    expect(main.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main.locator("p.text-body-secondary").first).to_contain_text(reference)
    with translation.override("ky"):
        submitted_label = str(Application.Status.SUBMITTED.label)
    expect(main.locator(".badge").first).to_have_text(submitted_label)
    versions = main.locator("section[aria-labelledby=versions-title] tbody tr")
    expect(versions).to_have_count(1)

    # Change the summary and resubmit ("Save and go to submission").
    main.locator(f"a[href='{edit_url}']").click()
    expect(page).to_have_url(f"{base}{edit_url}")
    form = form_with(page, "title")
    expect(form.locator("[name=summary]")).to_have_value(SUMMARY)
    form.locator("[name=summary]").fill(SUMMARY_V2)
    submit(page, form, "button[name=submit]")
    expect(page).to_have_url(f"{base}{submit_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(ky("The draft was saved."))
    resubmit = main.locator("form[method=post]")
    expect(resubmit.locator("[type=submit]")).to_have_text(ky("Submit the changes"))
    submit(page, resubmit)
    expect(page).to_have_url(f"{base}{detail_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky(
            "The application %(reference)s was submitted (version %(number)s). "
            "A receipt is being sent to your e-mail.",
            reference=reference,
            number=2,
        )
    )
    expect(versions).to_have_count(2)
    expect(versions.nth(0).locator("td").first).to_have_text("1")
    expect(versions.nth(1).locator("td").first).to_have_text(re.compile(r"^2\b"))
    expect(
        main.locator(f"a[href='/ky/applications/{application.pk}/versions/compare/']")
    ).to_have_count(1)
    expect(main.locator("section[aria-labelledby=project-title]")).to_contain_text(SUMMARY_V2)

    first, second = ApplicationVersion.objects.filter(application=application).order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.snapshot["project"]["summary"] == SUMMARY
    assert second.snapshot["project"]["summary"] == SUMMARY_V2
    assert first.sha256 != second.sha256
    assert first.receipt
    assert second.receipt
    application.refresh_from_db()
    assert (application.reference, application.status) == (reference, "submitted")

    # The receipt of version 2, as a download.
    receipt_link = versions.nth(1).locator(
        f"a[href='/ky/applications/{application.pk}/versions/2/receipt/']"
    )
    expect(receipt_link).to_have_text(ky("Receipt (PDF)"))
    with page.expect_download() as downloading:
        receipt_link.click()
    download = downloading.value
    assert download.suggested_filename == f"{reference}-v2.pdf"
    with open(download.path(), "rb") as downloaded:
        data = downloaded.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == second.receipt_sha256
    text = pdf_text(data)
    assert reference in text, text
    for letter in "ңөү":
        assert letter in text, f"{letter!r} is not in the receipt's text:\n{text}"
    assert second.sha256 in "".join(text.split()), text  # the snapshot hash, maybe wrapped

    # Each submission e-mailed its own receipt to the member, in Kyrgyz.
    receipts = OutboundEmail.objects.filter(to=member.email, template="emails/grants/submitted")
    assert receipts.count() == 2
    assert set(receipts.values_list("language", "status")) == {("ky", "sent")}
    attached = sorted(
        name for message in mailoutbox for name, _content, _type in message.attachments
    )
    assert attached == [f"{reference}-v1.pdf", f"{reference}-v2.pdf"]

    assert not server_errors
