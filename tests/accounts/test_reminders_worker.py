"""The daily reminders through the broker: beat's task run by a real Celery worker.

Eager mode is off (fixture ``celery_worker``): ``send_reminders_task`` is published to the
Redis broker, the worker runs it, the run queues its e-mails in a batch
(``send_emails_task``), which the worker delivers. A second run on the same day sends
none. The worker has its own database connection, hence ``transaction=True``.
"""

import pytest
from django.utils import timezone

from accounts.models import OutboundEmail, ReminderLog
from accounts.tasks import send_emails_task, send_reminders_task
from socialorder.celery import app
from tests.councils.factories import RecommendationFactory, days_ago
from tests.factories import OfficerFactory, UserFactory
from tests.workers import wait_for

TEMPLATE = "emails/reminders/recommendation_overdue"


def runs_of(worker, task) -> int:
    return sum(1 for run in worker.processed if run["task"] == task.name)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_daily_reminders_once(seeded, mailoutbox, celery_worker):
    assert app.conf.task_always_eager is False
    recommendation = RecommendationFactory(adopted_on=days_ago(31), response_due=days_ago(1))
    officers = [
        OfficerFactory(state_body=recommendation.addressed_to).user,
        OfficerFactory(
            state_body=recommendation.addressed_to, user=UserFactory(language="ru")
        ).user,
    ]
    addresses = sorted(officer.email for officer in officers)

    send_reminders_task.delay()

    delivered = wait_for(
        lambda: (
            OutboundEmail.objects.filter(template=TEMPLATE, status="sent").count() == 2
            and len(mailoutbox) == 2
        )
    )
    emails = OutboundEmail.objects.filter(template=TEMPLATE)
    assert delivered, (
        f"not delivered: {list(emails.values_list('to', 'status', 'last_error'))}, "
        f"outbox={len(mailoutbox)}, processed={celery_worker.processed}"
    )
    assert sorted(message.to[0] for message in mailoutbox) == addresses
    assert {(e.to, e.language) for e in emails} == {(o.email, o.language) for o in officers}
    assert ReminderLog.objects.filter(day=timezone.localdate()).count() == 2
    # The worker ran the daily task, then delivered the e-mails in one batch.
    assert runs_of(celery_worker, send_reminders_task) == 1
    assert runs_of(celery_worker, send_emails_task) == 1
    assert all(not run["eager"] for run in celery_worker.processed)

    # Beat fires again the same day (or an administrator runs the task by hand): nothing.
    send_reminders_task.delay()
    assert wait_for(lambda: runs_of(celery_worker, send_reminders_task) == 2)
    assert not wait_for(lambda: len(mailoutbox) > 2, seconds=1)
    assert runs_of(celery_worker, send_emails_task) == 1
    assert emails.count() == 2
    assert ReminderLog.objects.count() == 2
    assert len(mailoutbox) == 2
