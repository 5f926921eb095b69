"""``deliver_emails``: outbox rows sent in locked batches over one connection."""

import threading
from unittest import mock

from django.core import mail
from django.db import connection, transaction

from accounts.models import OutboundEmail
from socialorder import emails


def outbox(count: int) -> list[OutboundEmail]:
    return OutboundEmail.objects.bulk_create(
        OutboundEmail(
            to=f"member{i}@example.org",
            language="ky",
            template="emails/reminders/report_due",
            subject=f"Эскертүү {i}",
            body_text="Отчёт",
            body_html="<p>Отчёт</p>" if i % 2 else "",
        )
        for i in range(count)
    )


def test_every_row_goes_once_in_batches(db, django_assert_max_num_queries):
    rows = outbox(7)
    ids = [row.pk for row in rows]
    # Three batches of three: lock, mark sent, savepoint and release; not per message.
    with django_assert_max_num_queries(12):
        assert emails.deliver_emails(ids, batch=3) == 7
    assert sorted(message.to[0] for message in mail.outbox) == sorted(row.to for row in rows)
    assert mail.outbox[1].alternatives[0].mimetype == "text/html"
    sent = OutboundEmail.objects.filter(pk__in=ids)
    assert {(row.status, row.attempts, row.last_error) for row in sent} == {("sent", 1, "")}
    assert all(row.sent_at for row in sent)

    assert emails.deliver_emails(ids, batch=3) == 0
    assert len(mail.outbox) == 7


def test_a_failure_is_recorded_and_the_rest_of_the_batch_goes(db):
    rows = outbox(3)
    send = mail.EmailMultiAlternatives.send
    calls = []

    def fail_the_second(message, *args, **kwargs):
        calls.append(message.to[0])
        if len(calls) == 2:
            raise OSError("mailbox unavailable")
        return send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", fail_the_second):
        assert emails.deliver_emails([row.pk for row in rows]) == 2
    statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
    failed = OutboundEmail.objects.get(pk=rows[1].pk)
    assert (failed.status, failed.attempts, failed.last_error) == (
        "pending",
        1,
        "mailbox unavailable",
    )
    assert statuses[rows[0].pk] == statuses[rows[2].pk] == "sent"
    # The sweep sends it later, and only it.
    assert emails.deliver_emails([row.pk for row in rows]) == 1
    assert len(mail.outbox) == 3


def test_the_last_failed_attempt_gives_up(db):
    (row,) = outbox(1)
    OutboundEmail.objects.filter(pk=row.pk).update(attempts=emails.MAX_ATTEMPTS - 1)
    with mock.patch.object(mail.EmailMultiAlternatives, "send", side_effect=OSError("down")):
        assert emails.deliver_emails([row.pk]) == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", emails.MAX_ATTEMPTS)


def test_rows_another_process_is_sending_are_skipped(transactional_db):
    rows = outbox(3)
    locked, release = threading.Event(), threading.Event()

    def hold_the_first():
        with transaction.atomic():
            OutboundEmail.objects.select_for_update().filter(pk=rows[0].pk).get()
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_first)
    holder.start()
    try:
        assert locked.wait(10)
        assert emails.deliver_emails([row.pk for row in rows]) == 2
    finally:
        release.set()
        holder.join()
    assert sorted(message.to[0] for message in mail.outbox) == [rows[1].to, rows[2].to]
    assert OutboundEmail.objects.get(pk=rows[0].pk).status == "pending"
