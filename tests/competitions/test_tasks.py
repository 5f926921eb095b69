"""Celery tasks: amendment notices (after commit, once, swept when the broker missed them)
and the beat task that closes passed deadlines."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import OutboundEmail
from competitions import services
from competitions.models import Amendment, Competition, StatusChange
from competitions.tasks import (
    close_passed_deadlines_task,
    notify_amendment_task,
    notify_pending_amendments_task,
)
from tests.factories import UserFactory

from .factories import CompetitionFactory, FollowFactory, in_days
from .helpers import local_input


def extend(competition):
    return f"/ky/officer/competitions/{competition.reference}/extend/"


def cancel(competition):
    return f"/ky/officer/competitions/{competition.reference}/cancel/"


@pytest.fixture
def followers(published):
    """A Russian- and a Kyrgyz-speaking follower of ``published``."""
    return {
        language: FollowFactory(competition=published, user=UserFactory(language=language)).user
        for language in ("ru", "ky")
    }


def subject(msgid, language, competition):
    with translation.override(language):
        return translation.gettext(msgid) % {"reference": competition.reference}


EXTENDED = "The deadline of competition %(reference)s was extended"
CANCELLED = "Competition %(reference)s was cancelled"


def by_recipient(outbox):
    return {message.to[0]: message for message in outbox}


# (a) Queued only on commit, delivered in each follower's language


@pytest.mark.parametrize(
    ("action", "msgid"),
    [("extend", EXTENDED), ("cancel", CANCELLED)],
)
def test_amendment_notice_is_queued_on_commit_in_each_followers_language(
    client, officer, published, followers, action, msgid, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        if action == "extend":
            new = published.deadline + datetime.timedelta(days=7)
            response = client.post(
                extend(published), {"new_deadline": local_input(new), "note": "Узартылды."}
            )
        else:
            response = client.post(cancel(published), {"reason": "Бюджет кыскарды."})
    assert response.status_code == 302
    assert len(callbacks) == 1
    # Nothing is sent, nor even rendered, before the transaction commits.
    assert mail.outbox == []
    assert not OutboundEmail.objects.exists()
    assert Amendment.objects.get().notified_at is None

    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()

    sent = by_recipient(mail.outbox)
    assert set(sent) == {followers["ru"].email, followers["ky"].email}
    for language, user in followers.items():
        assert sent[user.email].subject == subject(msgid, language, published)
        with translation.override(language):
            assert published.title in sent[user.email].body
    # Translated: the Russian and the Kyrgyz subject are not the same text.
    assert sent[followers["ru"].email].subject != sent[followers["ky"].email].subject
    assert Amendment.objects.get().notified_at is not None


def test_cancelling_a_draft_queues_no_notice(
    client, officer, draft, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(cancel(draft), {"reason": "Кайра жазабыз."})
    assert response.status_code == 302
    assert callbacks == []
    assert mail.outbox == []


# (b) The task sends once


def test_the_task_sends_to_followers_once(
    published, officer, followers, django_capture_on_commit_callbacks
):
    amendment = services.cancel_competition(competition=published, user=officer, reason="Жок.")
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_amendment_task.apply(args=[amendment.pk]).get() == 2
    assert len(mail.outbox) == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_amendment_task.apply(args=[amendment.pk]).get() == 0
    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.count() == 2


def test_the_task_of_an_unknown_amendment_sends_nothing(db):
    assert notify_amendment_task.apply(args=[987654]).get() == 0


def test_the_task_retries_when_the_broker_is_unreachable():
    assert ConnectionError in notify_amendment_task.autoretry_for


# (c) The sweep sends what the broker missed


def test_the_sweep_sends_a_notice_whose_publish_failed(
    client, officer, published, followers, django_capture_on_commit_callbacks
):
    broker_down = mock.patch.object(
        notify_amendment_task, "delay", side_effect=ConnectionError("broker down")
    )
    client.force_login(officer)
    new = published.deadline + datetime.timedelta(days=7)
    with broker_down as delay, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            extend(published), {"new_deadline": local_input(new), "note": "Узартылды."}
        )
    # The officer's request still succeeded; only the notice waits.
    assert response.status_code == 302
    assert delay.call_count == 1
    published.refresh_from_db()
    assert published.deadline == new
    amendment = Amendment.objects.get()
    assert amendment.notified_at is None
    assert mail.outbox == []

    # Too recent for the sweep: the broker may still deliver it.
    assert notify_pending_amendments_task.apply().get() == 0

    Amendment.objects.filter(pk=amendment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_pending_amendments_task.apply().get() == 2
    assert {message.to[0] for message in mail.outbox} == {u.email for u in followers.values()}
    amendment.refresh_from_db()
    assert amendment.notified_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_pending_amendments_task.apply().get() == 0
    assert len(mail.outbox) == 2


# Closing passed deadlines (beat)


def test_the_beat_task_moves_passed_deadlines_to_evaluation(state_body):
    due = CompetitionFactory(state_body=state_body, published=True, deadline=in_days(-1))
    still_open = CompetitionFactory(state_body=state_body, published=True)
    draft = CompetitionFactory(state_body=state_body, deadline=in_days(-1))

    assert close_passed_deadlines_task.apply().get() == 1
    assert Competition.objects.get(pk=due.pk).status == "evaluation"
    assert Competition.objects.get(pk=still_open.pk).status == "published"
    assert Competition.objects.get(pk=draft.pk).status == "draft"
    change = StatusChange.objects.get()
    assert (change.competition, change.changed_by, change.from_status, change.to_status) == (
        due,
        None,
        "published",
        "evaluation",
    )
    assert close_passed_deadlines_task.apply().get() == 0


def test_the_beat_schedule_runs_both_sweeps():
    from socialorder.schedule import DEFAULT_TASKS

    tasks = {task for task, _when in DEFAULT_TASKS.values()}
    assert {
        "competitions.tasks.notify_pending_amendments_task",
        "competitions.tasks.close_passed_deadlines_task",
    } <= tasks
