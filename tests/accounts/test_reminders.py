"""Daily reminders: who gets what on which day, once, in their language.

``accounts.reminders.send_reminders(today)`` is called directly, for today and the days
after it (the situations are built with the real clock, the run is told which day it
is). Every run executes its on-commit callbacks, so the e-mails are delivered (Celery
is eager in tests) and land in the locmem outbox.
"""

import datetime
import re
import threading
import time
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts import reminders
from accounts.models import OutboundEmail, ReminderLog, User
from accounts.reminders import KINDS, kind_choices, send_reminders
from competitions.models import Competition
from grants import implementation
from grants.models import Report, Review, Tranche
from socialorder import emails
from tests.councils.factories import RecommendationFactory
from tests.factories import MembershipFactory, OfficerFactory, UserFactory
from tests.grants.evaluation import (
    admitted_applications,
    assign,
    commission,
    criteria,
    officer_of,
    score,
)
from tests.grants.factories import ApplicationFactory, open_competition, submitted_application
from tests.grants.implementation import (
    accepted_report,
    prepared_agreement,
    running_agreement,
    signed_agreement,
    submitted_report,
)

ALL_KINDS = {
    "application_deadline",
    "review_pending",
    "report_due",
    "report_overdue",
    "tranche_due",
    "signature_pending",
    "recommendation_overdue",
}


def today() -> datetime.date:
    return timezone.localdate()


def day(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


def run(on: datetime.date, *kinds: str) -> dict[str, int]:
    """The daily run on day ``on`` (of ``kinds`` only, if given), its e-mails delivered."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return send_reminders(on, codes=set(kinds) or None)


def run_twice(on: datetime.date, kind: str) -> int:
    """Run twice on the same day: the second run sends nothing and logs nothing."""
    sent = run(on, kind)[kind]
    rows = (ReminderLog.objects.count(), reminder_emails().count(), len(mail.outbox))
    assert run(on, kind)[kind] == 0
    assert (ReminderLog.objects.count(), reminder_emails().count(), len(mail.outbox)) == rows
    return sent


def reminder_emails(kind: str | None = None):
    prefix = f"emails/reminders/{kind}" if kind else "emails/reminders/"
    return OutboundEmail.objects.filter(template__startswith=prefix)


def received(kind: str, on: datetime.date) -> list[str]:
    """Who got a reminder of ``kind`` on day ``on`` (e-mail addresses, sorted)."""
    logs = ReminderLog.objects.filter(kind=kind, day=on).select_related("recipient", "email")
    for log in logs:
        assert log.email is not None, "every reminder logged has its e-mail"
        assert log.email.to == log.recipient.email
        assert log.email.status == OutboundEmail.Status.SENT
    return sorted(log.recipient.email for log in logs)


def emails_of(users) -> list[str]:
    return sorted(user.email for user in users)


def expected_subject(kind: str, context: dict, language: str) -> str:
    """The subject rendered here, independently, in ``language``."""
    with translation.override(language):
        subject = render_to_string(f"emails/reminders/{kind}_subject.txt", context)
    return " ".join(subject.split())


def message_to(address: str, kind: str):
    """The last reminder of ``kind`` delivered to ``address``."""
    email = reminder_emails(kind).filter(to=address).latest("pk")
    return [m for m in mail.outbox if m.to == [address] and m.subject == email.subject][-1]


def quiet_members(organization) -> tuple[User, User]:
    """An inactive member and a member without an e-mail address: they never get reminders."""
    inactive = MembershipFactory(
        organization=organization, role="editor", user=UserFactory(is_active=False)
    ).user
    no_email = MembershipFactory(
        organization=organization, role="editor", user=UserFactory(email="", verified=False)
    ).user
    return inactive, no_email


# The registry


def test_every_kind_is_registered_with_its_templates():
    assert set(KINDS) == ALL_KINDS
    assert {code for code, _ in kind_choices()} == ALL_KINDS
    for kind in KINDS.values():
        assert kind.template == f"emails/reminders/{kind.code}"
        for part in ("subject.txt", "message.txt", "message.html"):
            render_to_string(f"{kind.template}_{part}", {"days": 1})  # exists and compiles


@pytest.mark.parametrize(
    ("days", "sent"),
    [(0, True), (1, False), (6, False), (7, True), (14, True), (-1, False)],
)
def test_cadence(days, sent):
    assert reminders.on_cadence(days) is sent


# Profile: which reminders I receive

PROFILE = "/ky/profile/"


def choose(client, receive, **extra):
    return client.post(PROFILE, {"form": "reminders", "reminders-receive": receive, **extra})


def test_profile_shows_a_box_per_kind_checked_unless_turned_off(client, outsider):
    outsider.reminders_off = ["report_overdue"]
    outsider.save()
    client.force_login(outsider)
    page = client.get(PROFILE).content.decode()
    assert 'id="profile-reminders"' in page
    for code in ALL_KINDS:
        [box] = [
            tag
            for tag in re.findall(r"<input[^>]*>", page)
            if 'name="reminders-receive"' in tag and f'value="{code}"' in tag
        ]
        assert 'type="checkbox"' in box
        assert (" checked" in box) is (code != "report_overdue"), code


def test_profile_saves_the_reminders_turned_off(client, outsider):
    client.force_login(outsider)
    receive = sorted(ALL_KINDS - {"review_pending", "tranche_due"})
    response = choose(client, receive)
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    outsider.refresh_from_db()
    assert sorted(outsider.reminders_off) == ["review_pending", "tranche_due"]
    assert (outsider.first_name, outsider.language) == ("Айбек", "ky")  # details untouched
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        translation.gettext("Your reminder settings were saved.")
    ]
    # Checking a box again turns the reminder back on.
    choose(client, sorted(ALL_KINDS))
    outsider.refresh_from_db()
    assert outsider.reminders_off == []


def test_profile_unchecking_every_box_turns_every_reminder_off(client, outsider):
    client.force_login(outsider)
    response = client.post(PROFILE, {"form": "reminders"})
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert set(outsider.reminders_off) == ALL_KINDS


def test_profile_details_form_leaves_the_reminders_alone(client, outsider):
    outsider.reminders_off = ["review_pending"]
    outsider.save()
    client.force_login(outsider)
    response = client.post(PROFILE, {"first_name": "Нур", "last_name": "Бек", "language": "ru"})
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert (outsider.first_name, outsider.reminders_off) == ("Нур", ["review_pending"])


def test_profile_refuses_an_unknown_reminder(client, outsider):
    outsider.reminders_off = ["review_pending"]
    outsider.save()
    client.force_login(outsider)
    response = choose(client, ["report_due", "nonsense"])
    assert response.status_code == 400
    assert "nonsense" in response.content.decode()  # "Select a valid choice. nonsense is not ..."
    assert response.context["reminders_form"].errors["receive"]
    outsider.refresh_from_db()
    assert outsider.reminders_off == ["review_pending"]


def test_profile_reminders_need_sign_in(client, db):
    response = client.post(PROFILE, {"form": "reminders", "reminders-receive": ["report_due"]})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_profile_reminders_refuse_other_methods(client, outsider):
    client.force_login(outsider)
    assert client.put(PROFILE, {"form": "reminders"}).status_code == 405
    assert client.delete(PROFILE).status_code == 405
    outsider.refresh_from_db()
    assert outsider.reminders_off == []


# Application drafts: 3 days and 1 day before the deadline


def test_application_drafts_are_reminded_3_days_and_1_day_before_the_deadline(owner, editor):
    competition = open_competition(deadline=timezone.now() + datetime.timedelta(days=3))
    organization = owner.organization_memberships.get().organization
    draft = ApplicationFactory(competition=competition, organization=organization, complete=True)
    quiet_members(organization)
    # A submitted application and a draft to a competition that is not open: no reminder.
    other = MembershipFactory(role="owner").user
    submitted_application(
        other,
        competition=competition,
        organization=other.organization_memberships.get().organization,
    )
    stopped = Competition.objects.filter(pk=open_competition(deadline=competition.deadline).pk)
    ApplicationFactory(competition=stopped.get(), organization=organization)
    stopped.update(status=Competition.Status.CANCELLED)

    members = emails_of([owner, editor])
    assert run_twice(today(), "application_deadline") == 2
    assert received("application_deadline", today()) == members
    assert run_twice(day(1), "application_deadline") == 0  # 2 days before: none
    assert run_twice(day(2), "application_deadline") == 2  # 1 day before
    assert received("application_deadline", day(2)) == members
    assert run(day(3), "application_deadline")["application_deadline"] == 0

    message = message_to(owner.email, "application_deadline")
    assert f"/ky/applications/{draft.pk}/edit/" in message.body
    assert competition.reference in message.subject
    assert date_format(timezone.localtime(competition.deadline), "DATETIME_FORMAT") in message.body


# Scorecards pending during the evaluation


def test_pending_scorecards_are_reminded_daily_during_the_evaluation(db):
    competition = open_competition()
    criteria(competition)
    officer = officer_of(competition)
    first, second = commission(competition, 2)
    [application] = admitted_applications(competition, 1, officer=officer)
    done, pending = assign(application, [first, second], by=officer)
    score(done, [10, 5])
    assert Review.objects.get(pk=pending.pk).status == Review.Status.DRAFT

    # Published (the deadline passed, beat has not moved it yet): no reminder.
    assert run(today(), "review_pending")["review_pending"] == 0
    Competition.objects.filter(pk=competition.pk).update(status=Competition.Status.EVALUATION)

    assert run_twice(today(), "review_pending") == 1
    assert received("review_pending", today()) == [second.user.email]
    assert run_twice(day(1), "review_pending") == 1  # every day
    message = message_to(second.user.email, "review_pending")
    assert f"/ky/reviews/{pending.pk}/" in message.body

    score(pending, [8, 4])
    assert run(day(2), "review_pending")["review_pending"] == 0


# Reports of a running grant


@pytest.fixture
def grant(db):
    """A running grant (report 1 interim, report 2 final); the applicant writes in Kyrgyz,
    an editor in Russian; an inactive member and one without an e-mail address."""
    grant = running_agreement()
    organization = grant.agreement.application.organization
    grant.editor = MembershipFactory(
        organization=organization, role="editor", user=UserFactory(language="ru")
    ).user
    quiet_members(organization)
    Report.objects.filter(agreement=grant.agreement).update(due_date=day(300))
    return grant


def members_of(grant) -> list[str]:
    return emails_of([grant.applicant, grant.editor])


def test_a_report_is_reminded_7_days_before_it_is_due(grant):
    report = grant.reports[0]
    Report.objects.filter(pk=report.pk).update(due_date=day(7))

    assert run_twice(day(-1), "report_due") == 0  # 8 days before
    assert run_twice(today(), "report_due") == 2
    assert received("report_due", today()) == members_of(grant)
    assert run_twice(day(1), "report_due") == 0  # 6 days before

    message = message_to(grant.applicant.email, "report_due")
    assert f"/ky/reports/{report.pk}/" in message.body
    assert date_format(day(7), "DATE_FORMAT") in message.subject

    # A submitted report is not reminded; a returned one is, again.
    submitted_report(grant, 1)
    ReminderLog.objects.all().delete()  # as if today's reminders had not gone out yet
    assert run(today(), "report_due")["report_due"] == 0
    implementation.review_report(
        user=grant.officer, report=grant.reports[0], accept=False, comment="Чыгымдарды тактаңыз."
    )
    assert run(today(), "report_due")["report_due"] == 2


def test_an_overdue_report_is_reminded_on_the_first_day_and_every_7_days(grant):
    report = grant.reports[1]
    Report.objects.filter(pk=report.pk).update(due_date=today())

    assert run_twice(today(), "report_overdue") == 0  # due today: not overdue yet
    schedule = {1: 2, 2: 0, 6: 0, 7: 0, 8: 2, 9: 0, 15: 2}
    for n, expected in schedule.items():
        assert run_twice(day(n), "report_overdue") == expected, f"day {n}"
    assert received("report_overdue", day(8)) == members_of(grant)
    message = message_to(grant.applicant.email, "report_overdue")  # the last one: day 15
    assert f"/ky/reports/{report.pk}/" in message.body
    assert "15" in message.subject


def test_a_user_who_turned_a_kind_off_gets_none_of_it_and_still_gets_the_others(grant):
    Report.objects.filter(pk=grant.reports[0].pk).update(due_date=day(7))
    Report.objects.filter(pk=grant.reports[1].pk).update(due_date=day(-1))
    User.objects.filter(pk=grant.editor.pk).update(reminders_off=["report_overdue"])

    sent = run(today(), "report_due", "report_overdue")
    assert sent == {"report_due": 2, "report_overdue": 1}
    assert received("report_due", today()) == members_of(grant)
    assert received("report_overdue", today()) == [grant.applicant.email]
    assert not reminder_emails("report_overdue").filter(to=grant.editor.email).exists()


def test_reminders_go_out_in_each_recipients_language(grant):
    report = grant.reports[1]
    Report.objects.filter(pk=report.pk).update(due_date=day(-1))
    report.refresh_from_db()
    run(today(), "report_overdue")

    context = {"report": report, "agreement": grant.agreement, "days": 1}
    for user, language, other in [(grant.applicant, "ky", "ru"), (grant.editor, "ru", "ky")]:
        email = reminder_emails("report_overdue").get(to=user.email)
        assert email.language == language
        message = message_to(user.email, "report_overdue")
        assert message.subject == email.subject
        assert message.subject == expected_subject("report_overdue", context, language)
        # The links and the dates are the recipient's language's.
        assert f"/{language}/reports/{report.pk}/" in message.body
        assert f"/{language}/profile/" in message.body
        assert f"/{other}/" not in message.body
        with translation.override(language):
            due = date_format(report.due_date, "DATE_FORMAT")
        assert due in message.body
        html = {mimetype: body for body, mimetype in message.alternatives}["text/html"]
        assert f"/{language}/reports/{report.pk}/" in html
        assert f"/{language}/profile/" in html
    with translation.override("ky"):
        ky_date = date_format(report.due_date, "DATE_FORMAT")
    with translation.override("ru"):
        ru_date = date_format(report.due_date, "DATE_FORMAT")
    assert ky_date != ru_date  # month names differ: the rendering really switched language


def test_every_template_is_rendered_while_the_recipients_language_is_active(grant, monkeypatch):
    """Whatever the catalogues hold: each part of each e-mail is rendered under
    ``translation.override`` of its recipient's language."""
    Report.objects.filter(pk=grant.reports[1].pk).update(due_date=day(-1))
    rendered = []
    real = emails.render_to_string

    def spy(template, context=None, *args, **kwargs):
        rendered.append((template, translation.get_language(), context["url"]))
        return real(template, context, *args, **kwargs)

    monkeypatch.setattr(emails, "render_to_string", spy)
    with translation.override("en"):
        run(today(), "report_overdue")
    parts = ("subject.txt", "message.txt", "message.html")
    assert sorted((template, language) for template, language, _ in rendered) == sorted(
        (f"emails/reminders/report_overdue_{part}", language)
        for part in parts
        for language in ("ky", "ru")
    )
    for _, language, url in rendered:
        assert f"/{language}/reports/" in url


# Tranches due for payment (officers)


def test_a_payable_tranche_is_reminded_to_the_officers_weekly(db):
    grant = signed_agreement()
    second_officer = OfficerFactory(
        state_body=grant.agreement.application.competition.state_body,
        user=UserFactory(language="ru"),
    ).user
    OfficerFactory()  # of another state body
    first, conditional = grant.tranches
    Tranche.objects.filter(pk=first.pk).update(due_date=today())
    Tranche.objects.filter(pk=conditional.pk).update(due_date=day(-3))
    officers = emails_of([grant.officer, second_officer])

    assert run_twice(today(), "tranche_due") == 2  # the tranche due on signature
    assert received("tranche_due", today()) == officers
    assert grant.applicant.email not in received("tranche_due", today())
    for n, expected in {1: 0, 6: 0, 7: 2, 8: 0, 14: 2}.items():
        assert run_twice(day(n), "tranche_due") == expected, f"day {n}"
    message = message_to(grant.officer.email, "tranche_due")
    assert f"/ky/agreements/{grant.agreement.pk}/" in message.body

    # Paid: no more reminders. The tranche on the report's acceptance waits for it, and
    # its cadence counts from the acceptance, not from its due date three days ago.
    implementation.pay_tranche(
        user=grant.officer, tranche=grant.tranches[0], paid_on=today(), reference="ПП-7"
    )
    ReminderLog.objects.all().delete()
    assert run(today(), "tranche_due")["tranche_due"] == 0
    accepted_report(grant.refresh(), 1)
    assert run_twice(today(), "tranche_due") == 2
    assert run(day(4), "tranche_due")["tranche_due"] == 0
    assert run(day(7), "tranche_due")["tranche_due"] == 2


# Agreements awaiting signature


def test_an_agreement_awaiting_signature_is_reminded_weekly(db):
    grant = prepared_agreement(render=False)
    members = [grant.applicant, grant.officer]

    assert run_twice(today(), "signature_pending") == 0  # prepared today
    for n, expected in {1: 2, 2: 0, 7: 0, 8: 2, 15: 2}.items():
        assert run_twice(day(n), "signature_pending") == expected, f"day {n}"
    assert received("signature_pending", day(8)) == emails_of(members)
    message = message_to(grant.applicant.email, "signature_pending")
    assert grant.agreement.number in message.subject
    assert f"/ky/agreements/{grant.agreement.pk}/" in message.body

    # Back to draft (or signed): no longer awaiting signature.
    implementation.reopen_agreement(
        user=grant.officer, agreement=grant.agreement, note="Банктын реквизиттерин оңдоо."
    )
    assert run(day(22), "signature_pending")["signature_pending"] == 0


# Council recommendations awaiting a response


@pytest.fixture
def overdue_recommendation(db):
    recommendation = RecommendationFactory(adopted_on=day(-31), response_due=day(-1))
    recommendation.officers = [
        OfficerFactory(state_body=recommendation.addressed_to).user,
        OfficerFactory(
            state_body=recommendation.addressed_to, user=UserFactory(language="ru")
        ).user,
    ]
    OfficerFactory()  # of another state body
    return recommendation


def test_an_overdue_recommendation_is_reminded_to_the_addressed_officers(overdue_recommendation):
    recommendation = overdue_recommendation
    officers = emails_of(recommendation.officers)
    RecommendationFactory(adopted_on=day(-31), response_due=today())  # due today: not yet

    for n, expected in {0: 2, 1: 0, 6: 0, 7: 2, 14: 2}.items():
        assert run_twice(day(n), "recommendation_overdue") == expected, f"day {n}"
    assert received("recommendation_overdue", day(7)) == officers

    ky_officer, ru_officer = recommendation.officers
    for officer, language in [(ky_officer, "ky"), (ru_officer, "ru")]:
        message = message_to(officer.email, "recommendation_overdue")
        context = {"recommendation": recommendation, "days": 15}
        assert message.subject == expected_subject("recommendation_overdue", context, language)
        assert f"/{language}/officer/recommendations/{recommendation.pk}/" in message.body
        with translation.override(language):
            assert recommendation.council.name in message.body

    recommendation.__class__.objects.filter(pk=recommendation.pk).update(
        status="accepted", responded_on=today(), response="Кабыл алынды."
    )
    assert run(day(21), "recommendation_overdue")["recommendation_overdue"] == 0


# All kinds at once


def test_the_daily_run_sends_each_reminder_once_and_counts_per_kind(overdue_recommendation):
    sent = run(today())
    assert set(sent) == ALL_KINDS
    assert sent["recommendation_overdue"] == 2
    assert sum(sent.values()) == 2
    assert run(today()) == dict.fromkeys(ALL_KINDS, 0)
    assert ReminderLog.objects.count() == reminder_emails().count() == len(mail.outbox) == 2


def test_nothing_is_logged_when_an_email_cannot_be_rendered(overdue_recommendation):
    """The rows are inserted in the same transaction as the e-mails: a failure leaves none,
    and the next run sends them."""
    broken = mock.patch.object(reminders, "render_email", side_effect=RuntimeError("broken"))
    with broken, pytest.raises(RuntimeError):
        run(today(), "recommendation_overdue")
    assert ReminderLog.objects.count() == reminder_emails().count() == 0
    assert run(today(), "recommendation_overdue")["recommendation_overdue"] == 2


# Admin


def test_admin_lists_the_reminders_sent_read_only(admin_client, overdue_recommendation):
    run(today(), "recommendation_overdue")
    log = ReminderLog.objects.first()
    response = admin_client.get("/admin/accounts/reminderlog/")
    assert response.status_code == 200
    page = response.content.decode()
    assert str(log.recipient) in page
    filtered = admin_client.get("/admin/accounts/reminderlog/?kind=recommendation_overdue")
    assert filtered.context["cl"].result_count == 2
    other = admin_client.get("/admin/accounts/reminderlog/?kind=report_due")
    assert other.context["cl"].result_count == 0
    since = admin_client.get(f"/admin/accounts/reminderlog/?day__gte={today().isoformat()}")
    assert since.context["cl"].result_count == 2
    assert admin_client.get("/admin/accounts/reminderlog/add/").status_code == 403
    change = f"/admin/accounts/reminderlog/{log.pk}/change/"
    assert admin_client.get(change).status_code == 200  # view only
    assert admin_client.post(change, {"kind": "report_due"}).status_code == 403
    log.refresh_from_db()
    assert log.kind == "recommendation_overdue"


# Two runs at once


def _in_threads(*targets):
    """Run each target in its own thread (and database connection); re-raise any error."""
    errors, results = [], {}

    def wrap(name, target):
        def body():
            try:
                results[name] = target()
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        return threading.Thread(target=body, name=name)

    threads = [wrap(name, target) for name, target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a run hangs"
    if errors:
        raise errors[0]
    return results


def _overdue_with_officers(n: int = 3):
    recommendation = RecommendationFactory(adopted_on=day(-31), response_due=day(-1))
    for _ in range(n):
        OfficerFactory(state_body=recommendation.addressed_to)
    return recommendation


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(seeded, mailoutbox):
    _overdue_with_officers(3)
    start = threading.Barrier(2)

    def daily_run():
        start.wait(10)
        return send_reminders(today(), codes={"recommendation_overdue"})

    results = _in_threads(("a", daily_run), ("b", daily_run))
    assert sorted(r["recommendation_overdue"] for r in results.values()) == [0, 3]
    assert ReminderLog.objects.count() == reminder_emails().count() == 3
    assert len({log.run for log in ReminderLog.objects.all()}) == 1  # one run inserted them
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ReminderLog.objects.values_list("recipient__email", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_a_run_that_overlaps_an_uncommitted_run_sends_nothing(seeded, mailoutbox):
    """The first run has inserted its rows and not committed when the second one starts:
    the second waits on the unique constraint, then finds them and sends nothing."""
    _overdue_with_officers(3)
    first_inside, second_started = threading.Event(), threading.Event()
    real = reminders.enqueue_emails

    def enqueue_slowly(email_ids):
        if threading.current_thread().name == "first":
            first_inside.set()
            assert second_started.wait(10)
            time.sleep(0.5)  # the second run reaches its insert and waits for our commit
        return real(email_ids)

    def first():
        return send_reminders(today(), codes={"recommendation_overdue"})

    def second():
        assert first_inside.wait(10)
        second_started.set()
        return send_reminders(today(), codes={"recommendation_overdue"})

    with mock.patch.object(reminders, "enqueue_emails", side_effect=enqueue_slowly):
        results = _in_threads(("first", first), ("second", second))
    assert results == {
        "first": {"recommendation_overdue": 3},
        "second": {"recommendation_overdue": 0},
    }
    assert ReminderLog.objects.count() == reminder_emails().count() == len(mailoutbox) == 3
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 3, (
        "delivered once each"
    )
