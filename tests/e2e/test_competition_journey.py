"""An officer creates, documents and publishes a competition in Kyrgyz; a visitor finds
it in Russian through the catalogue's filters and reads its criteria and documents.

Headless Chromium. The officer is signed in by session cookie; fields are found by
their ``name`` and links by their ``href``. Expected interface strings (messages, the
status badge) are taken from the same catalogues the server uses, so the test holds
while the Kyrgyz translations are still being written.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, expect

from accounts.models import Region
from competitions.models import Competition, CompetitionDocument, ServiceArea
from tests.e2e.helpers import form_with, sign_in, submit, watch_server_errors
from tests.factories import OfficerFactory, StateBodyFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

REGION_CODE = "KG-N"  # Naryn: "Нарын облусу" in Kyrgyz, "Нарынская область" in Russian.
OTHER_REGION_CODE = "KG-O"  # Osh oblast.
AREA_SLUG = "elderly"

TITLE_KY = "Нарын облусундагы жалгыз жашаган карыларга үйдө кам көрүү"
TITLE_RU = "Уход на дому за одинокими пожилыми людьми в Нарынской области"
SEARCH_WORD = "пожилыми"  # A word of TITLE_RU; stemmed, it also matches "пожилых".
CRITERIA = [
    # name_ky, name_ru, max_points, weight
    ("Долбоордун коомдук маанилүүлүгү", "Социальная значимость проекта", "60", "1.5"),
    ("Уюмдун тажрыйбасы жана ресурстары", "Опыт и ресурсы организации", "40", "1"),
]
DOCUMENT_TITLE_KY = "Техникалык тапшырма"
DOCUMENT_TITLE = "Техническое задание"


def fill_criterion(form: Locator, row: int, name_ky: str, name_ru: str, points: str, weight: str):
    form.locator(f"[name=criteria-{row}-name_ky]").fill(name_ky)
    form.locator(f"[name=criteria-{row}-name_ru]").fill(name_ru)
    form.locator(f"[name=criteria-{row}-max_points]").fill(points)
    form.locator(f"[name=criteria-{row}-weight]").fill(weight)
    form.locator(f"[name=criteria-{row}-order]").fill(str(row + 1))


def published_competition(reference: str, region: Region, title_ky: str, title_ru: str, text_ru):
    """Another body's competition, published and open, straight in the database."""
    now = timezone.now()
    competition = Competition.objects.create(
        reference=reference,
        state_body=StateBodyFactory(),
        title_ky=title_ky,
        title_ru=title_ru,
        announcement_ky="Кеңири маалымат тиркелген документтерде.",
        announcement_ru=text_ru,
        eligibility_ky="Коммерциялык эмес уюмдар.",
        eligibility_ru="Некоммерческие организации.",
        service_area=ServiceArea.objects.get(slug="children-families"),
        total_budget=1_000_000,
        min_grant=100_000,
        max_grant=500_000,
        deadline=now + datetime.timedelta(days=40),
        duration_min_months=3,
        duration_max_months=9,
        contact_name="Сыдыков Нурлан",
        contact_email="konkurs@example.org",
        status=Competition.Status.PUBLISHED,
        published_at=now - datetime.timedelta(days=2),
    )
    competition.regions.set([region])
    return competition


def test_officer_publishes_a_competition_and_a_visitor_finds_it_in_russian(
    live_server, contexts, regions, private_media, tmp_path
):
    base = live_server.url
    server_errors: list[str] = []
    region = Region.objects.get(code=REGION_CODE)
    other_region = Region.objects.get(code=OTHER_REGION_CODE)
    area = ServiceArea.objects.get(slug=AREA_SLUG)
    membership = OfficerFactory()
    officer = membership.user
    reference = f"SSO-{timezone.localdate().year}-0001"
    detail_ky = f"/ky/competitions/{reference}/"
    # The earliest deadline publication accepts, plus ten days, at 18:00 in Bishkek.
    deadline = (
        timezone.localtime() + datetime.timedelta(days=settings.MIN_APPLICATION_DAYS + 10)
    ).replace(hour=18, minute=0, second=0, microsecond=0)

    # Decoys, published earlier: one elsewhere that the search word matches, one in the
    # same region that it does not.
    year_before = timezone.localdate().year - 1
    elsewhere = published_competition(
        f"SSO-{year_before}-0007",
        other_region,
        "Ош облусунда карыларга күндүзгү борбор",
        "Дневной центр для пожилых людей в Ошской области",
        "Центр дневного пребывания для пожилых людей.",
    )
    unrelated = published_competition(
        f"SSO-{year_before}-0008",
        region,
        "Нарында балдар үчүн жайкы лагерь",
        "Летний лагерь для детей в Нарыне",
        "Отдых и оздоровление детей из многодетных семей.",
    )

    # The officer, in Kyrgyz, opens a new competition.
    officer_context = contexts(locale="ky-KG")
    sign_in(officer_context, live_server, officer)
    page = officer_context.new_page()
    watch_server_errors(page, server_errors)
    page.goto(f"{base}/ky/officer/competitions/new/")
    expect(page.locator("html")).to_have_attribute("lang", "ky")

    form = form_with(page, "title_ky")
    form.locator("[name=title_ky]").fill(TITLE_KY)
    form.locator("[name=title_ru]").fill(TITLE_RU)
    form.locator("[name=announcement_ky]").fill(
        "Нарын облусундагы жалгыз жашаган улгайган адамдарга үйдө социалдык кызмат көрсөтүү."
    )
    form.locator("[name=announcement_ru]").fill(
        "Социальное обслуживание на дому одиноких пожилых людей в Нарынской области."
    )
    form.locator("[name=eligibility_ky]").fill(
        "Нарын облусунда катталган коммерциялык эмес уюмдар."
    )
    form.locator("[name=eligibility_ru]").fill(
        "Некоммерческие организации, зарегистрированные в Нарынской области."
    )
    form.locator("select[name=service_area]").select_option(str(area.pk))
    form.locator(f"input[name=regions][value='{region.pk}']").check()
    form.locator("[name=total_budget]").fill("3000000")
    form.locator("[name=min_grant]").fill("200000")
    form.locator("[name=max_grant]").fill("1000000")
    form.locator("[name=own_contribution_percent]").fill("10")
    form.locator("input[name=deadline]").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=duration_min_months]").fill("6")
    form.locator("[name=duration_max_months]").fill("12")
    form.locator("[name=pass_mark]").fill("60")
    form.locator("[name=reviews_per_application]").fill("2")
    form.locator("[name=quorum]").fill("3")
    form.locator("[name=contact_name]").fill("Жумабаева Нургүл")
    form.locator("[name=contact_email]").fill("nurgul@mlsp.example.kg")
    # One empty criterion row is offered: fill it, save, and add the second when editing.
    expect(form.locator("[name=criteria-1-name_ky]")).to_have_count(0)
    fill_criterion(form, 0, *CRITERIA[0])
    submit(page, form)
    expect(page).to_have_url(f"{base}{detail_ky}")

    competition = Competition.objects.get(reference=reference)
    assert competition.status == Competition.Status.DRAFT
    assert competition.state_body_id == membership.state_body_id
    assert competition.created_by == officer
    assert (competition.title_ky, competition.title_ru) == (TITLE_KY, TITLE_RU)
    assert list(competition.regions.all()) == [region]
    assert competition.deadline == deadline
    assert competition.criteria.count() == 1

    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(TITLE_KY)

    # Edit: the saved criterion and a new empty row; fill the new one.
    main.locator(f"a[href='/ky/officer/competitions/{reference}/edit/']").click()
    expect(page).to_have_url(f"{base}/ky/officer/competitions/{reference}/edit/")
    form = form_with(page, "title_ky")
    expect(form.locator("[name=criteria-0-name_ky]")).to_have_value(CRITERIA[0][0])
    expect(form.locator("[name=criteria-1-name_ky]")).to_have_value("")
    fill_criterion(form, 1, *CRITERIA[1])
    submit(page, form)
    expect(page).to_have_url(f"{base}{detail_ky}")
    criteria_section = main.locator("section[aria-labelledby=criteria-title]")
    for name_ky, *_rest in CRITERIA:
        expect(criteria_section).to_contain_text(name_ky)
    assert list(competition.criteria.values_list("name_ru", flat=True)) == [
        name_ru for _ky, name_ru, *_rest in CRITERIA
    ]

    # Documents: upload the terms of reference as a PDF.
    main.locator(f"a[href='/ky/officer/competitions/{reference}/documents/']").click()
    expect(page).to_have_url(f"{base}/ky/officer/competitions/{reference}/documents/")
    pdf = tmp_path / "tehnikalyk-tapshyrma.pdf"
    pdf.write_bytes(PDF_BYTES)
    upload = form_with(page, "file")
    upload.locator("select[name=kind]").select_option(CompetitionDocument.Kind.TERMS)
    upload.locator("[name=title_ky]").fill(DOCUMENT_TITLE_KY)
    upload.locator("[name=title_ru]").fill(DOCUMENT_TITLE)
    upload.locator("input[name=file]").set_input_files(pdf)
    submit(page, upload)
    expect(page).to_have_url(f"{base}/ky/officer/competitions/{reference}/documents/")
    document = CompetitionDocument.objects.get(competition=competition)
    download_path = f"/ky/competitions/{reference}/documents/{document.pk}/"
    expect(main.locator(f"a[href='{download_path}']")).to_have_text(DOCUMENT_TITLE_KY)
    assert (document.file_type, document.size) == ("pdf", len(PDF_BYTES))
    assert (private_media / document.file.name).read_bytes() == PDF_BYTES

    # Back to the competition, and publish it.
    main.locator(f"a[href='{detail_ky}']").click()
    expect(page).to_have_url(f"{base}{detail_ky}")
    submit(page, main.locator(f"form[action='/ky/officer/competitions/{reference}/publish/']"))
    expect(page).to_have_url(f"{base}{detail_ky}")
    with translation.override("ky"):
        published_message = gettext("The competition is published. Applications are open.")
        published_label = str(Competition.Status.PUBLISHED.label)
    expect(main.locator(".messages .alert-success")).to_have_text(published_message)
    badge = main.locator("header .badge")
    expect(badge).to_have_text(published_label)
    expect(badge).to_have_class(re.compile(r"\btext-bg-success\b"))
    expect(main.locator(f"form[action$='/{reference}/publish/']")).to_have_count(0)
    competition.refresh_from_db()
    assert competition.status == Competition.Status.PUBLISHED
    assert competition.published_at is not None

    # A visitor, without cookies, in Russian: the catalogue, filtered by region and a word.
    visitor_context = contexts(locale="ru-RU")
    visitor = visitor_context.new_page()
    watch_server_errors(visitor, server_errors)
    visitor.goto(f"{base}/ru/competitions/")
    expect(visitor.locator("html")).to_have_attribute("lang", "ru")
    results = visitor.locator("main section[aria-labelledby=results-title]")
    expect(results.locator("article")).to_have_count(3)
    search = visitor.locator("main form[role=search]")
    search.locator("select[name=region]").select_option(str(region.pk))
    search.locator("input[name=q]").fill(SEARCH_WORD)
    with visitor.expect_navigation():
        search.locator("[type=submit]").click()
    expect(visitor).to_have_url(re.compile(r"/ru/competitions/\?"))
    expect(search.locator("select[name=region]")).to_have_value(str(region.pk))
    expect(search.locator("input[name=q]")).to_have_value(SEARCH_WORD)
    detail_ru = f"/ru/competitions/{reference}/"
    expect(results.locator("article")).to_have_count(1)
    found = results.locator(f"article a[href='{detail_ru}']")
    expect(found).to_have_text(TITLE_RU)
    for decoy in (elsewhere, unrelated):
        expect(results.locator(f"a[href='/ru/competitions/{decoy.reference}/']")).to_have_count(0)

    # Open it: Russian page, both criteria by their Russian names, the document.
    found.click()
    expect(visitor).to_have_url(f"{base}{detail_ru}")
    expect(visitor.locator("html")).to_have_attribute("lang", "ru")
    visitor_main = visitor.locator("main")
    expect(visitor_main.get_by_role("heading", level=1)).to_have_text(TITLE_RU)
    expect(visitor_main.locator("section[aria-labelledby=officer-actions]")).to_have_count(0)
    criteria_rows = visitor_main.locator("section[aria-labelledby=criteria-title] tbody tr")
    expect(criteria_rows).to_have_count(len(CRITERIA))
    for row, (name_ky, name_ru, points, _weight) in enumerate(CRITERIA):
        expect(criteria_rows.nth(row)).to_contain_text(name_ru)
        expect(criteria_rows.nth(row)).to_contain_text(points)
        expect(criteria_rows.nth(row)).not_to_contain_text(name_ky)
    link = visitor_main.locator(
        f"section[aria-labelledby=documents-title] "
        f"a[href='/ru/competitions/{reference}/documents/{document.pk}/']"
    )
    expect(link).to_have_text(DOCUMENT_TITLE)
    with visitor.expect_download() as downloading:
        link.click()
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PDF_BYTES

    assert not server_errors
