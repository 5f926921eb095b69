"""The public councils registry in headless Chromium: a council's secretary plans a
meeting, publishes its agenda and minutes in Kyrgyz and records a recommendation
adopted at it; a citizen reads them in Russian; an officer of the addressed state body
answers the recommendation; the citizen sees the new status and the response.

Set-up is server side (factories): a state body with an officer, a public council of
that body with four current members and a secretary, and a decoy council of another
body. Users are signed in by session cookie; each person has a browser context of
their own in their language. Fields are found by their ``name`` and links by their
``href``; expected interface strings come from the catalogues the server uses
(``gettext`` in Kyrgyz or Russian). Every page is audited with axe-core: no serious or
critical finding may remain, and no response may be a server error.
"""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from playwright.sync_api import Page, expect

from councils.models import CouncilMember, Meeting, Recommendation
from tests.councils.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    CouncilSecretaryFactory,
)
from tests.e2e.helpers import form_with, sign_in, submit, watch_server_errors
from tests.factories import OfficerFactory, StateBodyFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BODY_KY = "Эмгек жана социалдык өнүгүү министрлиги"
BODY_RU = "Министерство труда и социального развития"
COUNCIL_KY = "Эмгек жана социалдык өнүгүү министрлигинин коомдук кеңеши"
COUNCIL_RU = "Общественный совет Министерства труда и социального развития"
SEARCH_WORD = "труда"  # a word of COUNCIL_RU, not of the decoy's name
SLUG = "mintrud-council"
# name, position; all sit on the council today (open terms since 1 March 2023).
MEMBERS = [
    ("Сүйөркулова Гүлнара Төлөнбаевна", CouncilMember.Position.CHAIR),
    ("Мөңкөбаев Үмүтбек Эңсегенович", CouncilMember.Position.DEPUTY),
    ("Жээнбекова Айпери Өмүрзаковна", CouncilMember.Position.SECRETARY),
    ("Түлөгабылов Нурсултан Кеңешович", CouncilMember.Position.MEMBER),
]
PRESENT = (0, 1)  # the chair and the deputy chair are ticked as present
GUESTS = 5
PLACE = "Бишкек ш., Тыныстанов көчөсү, 215, министрликтин чоң жыйындар залы"
AGENDA = [
    "Жалгыз жашаган карыларга үйдө көрсөтүлүүчү социалдык кызматтардын сапаты жөнүндө",
    "Мамлекеттик социалдык заказдын 2026-жылга карата планын талкуулоо",
]
MINUTES = (
    "Биринчи маселе боюнча министрликтин өкүлү баяндама жасады; мүчөлөр кызматтардын "
    "сапатын жакшыртуу боюнча сунуштарды айтышты.\n"
    "Экинчи маселе боюнча план бир добуштан жактырылды."
)
TITLE = "Үйдө кам көрүү кызматтарынын стандартын жаңылоо жөнүндө"
TEXT = (
    "Кеңеш министрликке үйдө кам көрүү кызматтарынын стандартын жаңылоону жана "
    "кызматтардын сапатына көз карандысыз мониторинг жүргүзүүнү сунуштайт."
)
RESPONSE = (
    "Министрлик сунушту кабыл алды: стандарттын жаңы долбоору үчүнчү чейректе "
    "коомдук талкууга коюлат, мониторинг өңүттөрү кеңеш менен макулдашылат."
)

AXE = Axe()
BLOCKING = {"serious", "critical"}  # as in test_accessibility.py


def in_language(language: str, msgid: str, **params) -> str:
    """``msgid`` as the catalogue of ``language`` gives it, placeholders filled."""
    with translation.override(language):
        text = gettext(msgid)
    return text % params if params else text


def ky(msgid: str, **params) -> str:
    return in_language("ky", msgid, **params)


def ru(msgid: str, **params) -> str:
    return in_language("ru", msgid, **params)


def url(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args or None)


def label(language: str, choice) -> str:
    with translation.override(language):
        return str(choice.label)


def cap_label(language: str, choice) -> str:
    """The label as the public pages print it (``|capfirst``)."""
    return capfirst(label(language, choice))


def position_of(member: CouncilMember):
    return CouncilMember.Position(member.position)


def date(language: str, value: datetime.date) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


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


def meeting_start() -> datetime.datetime:
    """An hour ago in Bishkek time, to the minute; just after midnight, today's 00:00
    (the meeting and the recommendation adopted at it must be on today's date)."""
    now = timezone.localtime()
    start = now - datetime.timedelta(hours=1)
    if start.date() != now.date():
        start = now.replace(hour=0, minute=0)
    return start.replace(second=0, microsecond=0)


def test_secretary_publishes_minutes_in_kyrgyz_citizen_reads_in_russian_officer_answers(
    live_server, contexts, regions
):
    base = live_server.url
    server_errors: list[str] = []
    audits: list[tuple] = []  # axe-core's serious and critical findings

    # Set-up, server side.
    body = StateBodyFactory(name_ky=BODY_KY, name_ru=BODY_RU)
    officer = OfficerFactory(state_body=body).user
    council = CouncilFactory(slug=SLUG, state_body=body, name_ky=COUNCIL_KY, name_ru=COUNCIL_RU)
    decoy = CouncilFactory()  # another body's council, which the search leaves out
    members = [
        CouncilMemberFactory(council=council, full_name=name, position=position)
        for name, position in MEMBERS
    ]
    present = [members[index] for index in PRESENT]
    absent = [member for member in members if member not in present]
    secretary = CouncilSecretaryFactory(
        council=council, user=UserFactory(first_name="Айгүл", last_name="Өмүрбекова")
    ).user

    # The secretary, in Kyrgyz: "Council office" → the council → plan a meeting.
    secretary_context = contexts(locale="ky-KG")
    sign_in(secretary_context, live_server, secretary)
    page = secretary_context.new_page()
    watch_server_errors(page, server_errors)
    main = page.locator("main")
    page.goto(f"{base}/ky/")
    expect(page.locator("html")).to_have_attribute("lang", "ky")
    workspace_url = url("ky", "councils:workspace")
    office_link = page.locator(f"nav a[href='{workspace_url}']")
    expect(office_link).to_have_text(ky("Council office"))
    office_link.click()
    expect(page).to_have_url(f"{base}{workspace_url}")
    audit(page, audits)
    edit_url = url("ky", "councils:edit", SLUG)
    council_link = main.locator(f"section[aria-labelledby=my-councils] a[href='{edit_url}']")
    expect(council_link).to_have_text(COUNCIL_KY)
    council_link.click()
    expect(page).to_have_url(f"{base}{edit_url}")
    expect(main.get_by_role("heading", level=1)).to_have_text(COUNCIL_KY)
    members_section = main.locator("section[aria-labelledby=members-heading]")
    for name, _position in MEMBERS:
        expect(members_section).to_contain_text(name)
    audit(page, audits)

    create_url = url("ky", "councils:meeting-create", SLUG)
    plan_link = main.locator(f"a[href='{create_url}']")
    expect(plan_link).to_have_text(ky("Plan a meeting"))
    plan_link.click()
    expect(page).to_have_url(f"{base}{create_url}")
    audit(page, audits)
    form = form_with(page, "starts_at")
    starts_at = meeting_start()
    form.locator("input[name=starts_at]").fill(starts_at.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=place]").fill(PLACE)
    form.locator("textarea[name=agenda]").fill("\n".join(AGENDA))
    submit(page, form)
    expect(page).to_have_url(f"{base}{edit_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky("The meeting was planned; it is shown on the council's page.")
    )
    meeting = Meeting.objects.get(council=council)
    assert meeting.starts_at == starts_at
    assert meeting.place == PLACE
    assert meeting.status == Meeting.Status.PLANNED
    assert [item.title for item in meeting.agenda.all()] == AGENDA

    # The minutes: two members present, the guests, the text.
    minutes_url = url("ky", "councils:meeting-minutes", SLUG, meeting.pk)
    meetings_section = main.locator("section[aria-labelledby=meetings-heading]")
    minutes_link = meetings_section.locator(f"a[href='{minutes_url}']")
    expect(minutes_link).to_have_text(ky("Minutes and attendance"))
    minutes_link.click()
    expect(page).to_have_url(f"{base}{minutes_url}")
    audit(page, audits)
    form = form_with(page, "minutes")
    expect(form.locator("input[name=present]")).to_have_count(len(MEMBERS))
    for member in present:  # each box found by its label, the member's name
        box = form.get_by_label(member.full_name, exact=False)
        expect(box).to_have_attribute("name", "present")
        expect(box).to_have_attribute("value", str(member.pk))
        box.check()
    form.locator("input[name=guests_count]").fill(str(GUESTS))
    form.locator("textarea[name=minutes]").fill(MINUTES)
    submit(page, form)
    expect(page).to_have_url(f"{base}{edit_url}")
    expect(main.locator(".messages .alert-success")).to_have_text(ky("The minutes were published."))
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.minutes_published_at is not None
    assert meeting.guests_count == GUESTS
    # Browsers send a textarea's line breaks as CRLF.
    assert meeting.minutes.splitlines() == MINUTES.splitlines()
    assert set(meeting.present.all()) == set(present)
    meeting_row = meetings_section.locator("tbody tr")
    expect(meeting_row).to_have_count(1)
    expect(meeting_row).to_contain_text(label("ky", Meeting.Status.HELD))
    expect(meeting_row).to_contain_text(ky("published"))

    # The recommendation adopted at the meeting, addressed to the council's state body.
    recommend_url = url("ky", "councils:recommendation-create", SLUG)
    recommend_link = main.locator(f"a[href='{recommend_url}']")
    expect(recommend_link).to_have_text(ky("Record a recommendation"))
    recommend_link.click()
    expect(page).to_have_url(f"{base}{recommend_url}")
    audit(page, audits)
    form = form_with(page, "title")
    today = timezone.localdate()
    expect(form.locator("select[name=addressed_to]")).to_have_value(str(body.pk))
    expect(form.locator("input[name=adopted_on]")).to_have_value(today.isoformat())
    form.locator("select[name=meeting]").select_option(str(meeting.pk))
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=text]").fill(TEXT)
    submit(page, form)
    expect(page).to_have_url(f"{base}{edit_url}")
    recommendation = Recommendation.objects.get(council=council)
    due = today + datetime.timedelta(days=30)
    assert (recommendation.meeting, recommendation.addressed_to) == (meeting, body)
    assert (recommendation.title, recommendation.text) == (TITLE, TEXT)
    assert (recommendation.adopted_on, recommendation.response_due) == (today, due)
    assert recommendation.status == Recommendation.Status.SENT
    expect(main.locator(".messages .alert-success")).to_have_text(
        ky(
            "The recommendation was sent to %(body)s; the response is due by %(date)s.",
            body=BODY_KY,
            date=date("ky", due),
        )
    )
    row = main.locator("section[aria-labelledby=recommendations-heading] tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text(BODY_KY)
    audit(page, audits)

    # A citizen, anonymous, in Russian: "Councils" → the search → the council's page.
    citizen_context = contexts(locale="ru-RU")
    citizen = citizen_context.new_page()
    watch_server_errors(citizen, server_errors)
    public = citizen.locator("main")
    citizen.goto(f"{base}/ru/")
    expect(citizen.locator("html")).to_have_attribute("lang", "ru")
    list_url = url("ru", "councils:list")
    councils_link = citizen.locator(f"nav a[href='{list_url}']")
    expect(councils_link).to_have_text(ru("Councils"))
    expect(citizen.locator(f"nav a[href='{url('ru', 'councils:workspace')}']")).to_have_count(0)
    councils_link.click()
    expect(citizen).to_have_url(f"{base}{list_url}")
    expect(public.get_by_role("heading", level=1)).to_have_text(ru("Public councils"))
    results = public.locator("section[aria-labelledby=results-title]")
    expect(results.locator("tbody tr")).to_have_count(2)
    audit(citizen, audits)
    search = public.locator("form[role=search]")
    search.locator("input[name=q]").fill(SEARCH_WORD)
    with citizen.expect_navigation():
        search.locator("[type=submit]").click()
    expect(citizen).to_have_url(re.compile(r"/ru/councils/\?"))
    expect(search.locator("input[name=q]")).to_have_value(SEARCH_WORD)
    expect(results.locator("tbody tr")).to_have_count(1)
    detail_url = url("ru", "councils:detail", SLUG)
    decoy_url = url("ru", "councils:detail", decoy.slug)
    expect(results.locator(f"a[href='{decoy_url}']")).to_have_count(0)
    found = results.locator(f"tbody tr a[href='{detail_url}']")
    expect(found).to_have_text(COUNCIL_RU)
    found_row = results.locator("tbody tr")
    expect(found_row).to_contain_text(BODY_RU)
    expect(found_row.locator("td").nth(3)).to_have_text(str(len(MEMBERS)))
    audit(citizen, audits)
    found.click()

    expect(citizen).to_have_url(f"{base}{detail_url}")
    expect(public.get_by_role("heading", level=1)).to_have_text(COUNCIL_RU)
    composition = public.locator("section[aria-labelledby=composition-title]")
    expect(composition.get_by_role("heading", level=2)).to_have_text(ru("Current composition"))
    expect(composition.locator("tbody tr")).to_have_count(len(MEMBERS))
    for row, (name, position) in zip(composition.locator("tbody tr").all(), MEMBERS, strict=True):
        expect(row.locator("th")).to_contain_text(name)
        expect(row.locator("td").first).to_have_text(cap_label("ru", position))
    meetings = public.locator("section[aria-labelledby=meetings-title]")
    expect(meetings).to_contain_text(ru("No meeting is planned."))
    past = meetings.locator("tbody tr")
    expect(past).to_have_count(1)
    expect(past.locator("td").first).to_have_text(cap_label("ru", Meeting.Status.HELD))
    meeting_url = url("ru", "councils:meeting", SLUG, meeting.pk)
    expect(past.locator(f"a[href='{meeting_url}#minutes-title']")).to_have_text(
        ru("Read the minutes")
    )
    recommendation_url = url("ru", "councils:recommendation", SLUG, recommendation.pk)
    public_rows = public.locator("section[aria-labelledby=recommendations-title] tbody tr")
    expect(public_rows).to_have_count(1)
    expect(public_rows.locator(f"a[href='{recommendation_url}']")).to_have_text(TITLE)
    expect(public_rows.locator("td").nth(1)).to_have_text(BODY_RU)
    expect(public_rows.locator("td").nth(2).locator(".badge")).to_have_text(
        cap_label("ru", Recommendation.Status.SENT)
    )
    expect(public_rows.locator("td").nth(3)).to_have_text(date("ru", due))
    expect(public_rows.locator("td").nth(4)).to_have_text("—")
    audit(citizen, audits)

    # The meeting: the Kyrgyz agenda, attendance and minutes under Russian headings.
    past.locator(f"th a[href='{meeting_url}']").click()
    expect(citizen).to_have_url(f"{base}{meeting_url}")
    expect(citizen.locator("html")).to_have_attribute("lang", "ru")
    agenda = public.locator("section[aria-labelledby=agenda-title]")
    expect(agenda.get_by_role("heading", level=2)).to_have_text(ru("Agenda"))
    expect(agenda.locator("ol li")).to_have_text(AGENDA)
    attendance = public.locator("section[aria-labelledby=attendance-title]")
    expect(attendance.get_by_role("heading", level=2)).to_have_text(ru("Attendance"))
    with translation.override("ru"):
        members_present = translation.pgettext("council", "Members present")
    expect(attendance.get_by_role("heading", level=3)).to_have_text(members_present)
    expect(attendance.locator("ul li")).to_have_text(
        [f"{member.full_name} ({label('ru', position_of(member))})" for member in present]
    )
    for member in absent:
        expect(attendance).not_to_contain_text(member.full_name)
    with translation.override("ru"):
        guests = ngettext("%(counter)s guest", "%(counter)s guests", GUESTS) % {"counter": GUESTS}
    expect(attendance).to_contain_text(guests)
    minutes = public.locator("section[aria-labelledby=minutes-title]")
    expect(minutes.get_by_role("heading", level=2)).to_have_text(ru("Minutes"))
    for paragraph in MINUTES.split("\n"):
        expect(minutes).to_contain_text(paragraph)
    when = public.locator("section[aria-labelledby=when-title]")
    expect(when.get_by_role("heading", level=2)).to_have_text(ru("When and where"))
    expect(when).to_contain_text(PLACE)
    expect(when.locator("time")).to_have_attribute("datetime", starts_at.isoformat())
    adopted = public.locator("section[aria-labelledby=recommendations-title]")
    expect(adopted.get_by_role("heading", level=2)).to_have_text(
        ru("Recommendations adopted at this meeting")
    )
    expect(adopted.locator(f"a[href='{recommendation_url}']")).to_have_text(TITLE)
    audit(citizen, audits)

    # The recommendation, not yet answered.
    adopted.locator(f"a[href='{recommendation_url}']").click()
    expect(citizen).to_have_url(f"{base}{recommendation_url}")
    expect(public.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(public.locator("header .badge")).to_have_text(
        cap_label("ru", Recommendation.Status.SENT)
    )
    text_section = public.locator("section[aria-labelledby=text-title]")
    expect(text_section.get_by_role("heading", level=2)).to_have_text(
        ru("Text of the recommendation")
    )
    expect(text_section).to_contain_text(TEXT)
    response_section = public.locator("section[aria-labelledby=response-title]")
    expect(response_section.get_by_role("heading", level=2)).to_have_text(
        ru("Response of the state body")
    )
    expect(response_section).to_contain_text(ru("No response yet."))
    expect(public.locator(f"aside a[href='{meeting_url}']")).to_have_text(date("ru", today))
    audit(citizen, audits)

    # The officer of the body, in Kyrgyz: "Council office" → every recommendation
    # addressed to the body → the recommendation → the response.
    officer_context = contexts(locale="ky-KG")
    sign_in(officer_context, live_server, officer)
    desk = officer_context.new_page()
    watch_server_errors(desk, server_errors)
    desk_main = desk.locator("main")
    desk.goto(f"{base}/ky/")
    desk.locator(f"nav a[href='{workspace_url}']").click()
    expect(desk).to_have_url(f"{base}{workspace_url}")
    answer_url = url("ky", "councils:answer", recommendation.pk)
    awaiting = desk_main.locator("section[aria-labelledby=to-answer]")
    expect(awaiting.locator(f"tbody a[href='{answer_url}']")).to_have_text(TITLE)
    audit(desk, audits)
    officer_list_url = url("ky", "councils:officer-recommendations")
    awaiting.locator(f"a[href='{officer_list_url}']").click()
    expect(desk).to_have_url(f"{base}{officer_list_url}")
    expect(desk_main.get_by_role("heading", level=1)).to_have_text(
        ky("Council recommendations to your state bodies")
    )
    listed = desk_main.locator("tbody tr")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(COUNCIL_KY)
    expect(listed.locator("td").last).to_have_text(label("ky", Recommendation.Status.SENT))
    audit(desk, audits)
    listed.locator(f"a[href='{answer_url}']").click()
    expect(desk).to_have_url(f"{base}{answer_url}")
    expect(desk_main.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(desk_main).to_contain_text(TEXT)
    audit(desk, audits)
    form = form_with(desk, "response")
    offered = form.locator("input[name=status]")
    expect(offered).to_have_count(len(Recommendation.TRANSITIONS[Recommendation.Status.SENT]))
    accepted = form.get_by_label(label("ky", Recommendation.Status.ACCEPTED), exact=True)
    expect(accepted).to_have_attribute("value", Recommendation.Status.ACCEPTED)
    accepted.check()
    form.locator("textarea[name=response]").fill(RESPONSE)
    submit(desk, form)
    expect(desk).to_have_url(f"{base}{officer_list_url}")
    expect(desk_main.locator(".messages .alert-success")).to_have_text(
        ky("The response was recorded; it is shown on the council's page.")
    )
    status_cell = listed.locator("td").last
    expect(status_cell).to_contain_text(label("ky", Recommendation.Status.ACCEPTED))
    expect(status_cell).to_contain_text(ky("answered on %(date)s", date=date("ky", today)))
    audit(desk, audits)
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ACCEPTED
    assert recommendation.response == RESPONSE
    assert recommendation.responded_on == today
    assert recommendation.responded_by == officer

    # The citizen reloads the recommendation, then the council's page: the new status
    # and the response are public.
    citizen.reload()
    expect(public.locator("header .badge")).to_have_text(
        cap_label("ru", Recommendation.Status.ACCEPTED)
    )
    expect(response_section).to_contain_text(ru("Answered on %(date)s", date=date("ru", today)))
    expect(response_section).not_to_contain_text(ru("No response yet."))
    for paragraph in RESPONSE.split("\n"):
        expect(response_section).to_contain_text(paragraph)
    audit(citizen, audits)
    public.locator(f"nav a[href='{detail_url}#recommendations']").click()
    expect(citizen).to_have_url(f"{base}{detail_url}#recommendations")
    expect(public_rows.locator("td").nth(2).locator(".badge")).to_have_text(
        cap_label("ru", Recommendation.Status.ACCEPTED)
    )
    expect(public_rows.locator("td").nth(4)).to_have_text(date("ru", today))
    figures = public.locator("section[aria-labelledby=figures-title]")
    expect(figures).to_contain_text(ru("Share answered on time"))
    expect(
        figures.locator("tr").filter(has_text=ru("Share answered on time")).locator("td")
    ).to_have_text("100%")
    audit(citizen, audits)

    assert not server_errors, server_errors
    assert not audits, "\n".join(map(str, audits))
