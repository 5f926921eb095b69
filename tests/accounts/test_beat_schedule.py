"""The default schedule of Celery beat lives in the database (django-celery-beat).

``migrate`` installs the default periodic tasks of ``socialorder/schedule.py``; running it
again adds what is missing and keeps what an administrator changed.
"""

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from socialorder.schedule import DEFAULT_TASKS, install_default_schedule

pytestmark = pytest.mark.django_db


def test_migrate_installed_every_default_task():
    for name, (task, when) in DEFAULT_TASKS.items():
        periodic = PeriodicTask.objects.get(name=name)
        assert periodic.task == task
        assert periodic.enabled
        if isinstance(when, dict):
            assert periodic.interval is None
            assert (periodic.crontab.hour, periodic.crontab.minute) == (
                str(when["hour"]),
                str(when["minute"]),
            )
        else:
            assert periodic.crontab is None
            assert (periodic.interval.every, periodic.interval.period) == (
                when,
                IntervalSchedule.SECONDS,
            )


def test_the_daily_reminders_run_at_nine_in_bishkek():
    task = PeriodicTask.objects.select_related("crontab").get(name="daily-reminders")
    assert task.task == "accounts.tasks.send_reminders_task"
    crontab = task.crontab
    assert (crontab.minute, crontab.hour) == ("0", "9")
    assert (crontab.day_of_week, crontab.day_of_month, crontab.month_of_year) == ("*", "*", "*")
    assert str(crontab.timezone) == "Asia/Bishkek"


def test_installing_again_keeps_an_administrators_change():
    task = PeriodicTask.objects.get(name="daily-reminders")
    CrontabSchedule.objects.filter(pk=task.crontab_id).update(hour="7", minute="30")
    PeriodicTask.objects.filter(name="send-pending-emails").update(enabled=False)

    assert install_default_schedule() == 0
    call_command("migrate", verbosity=0)  # what a deployment runs

    task = PeriodicTask.objects.select_related("crontab").get(name="daily-reminders")
    assert (task.crontab.hour, task.crontab.minute) == ("7", "30")
    assert not PeriodicTask.objects.get(name="send-pending-emails").enabled
    assert PeriodicTask.objects.filter(name__in=DEFAULT_TASKS).count() == len(DEFAULT_TASKS)


def test_installing_again_recreates_a_deleted_task():
    PeriodicTask.objects.filter(name="daily-reminders").delete()

    assert install_default_schedule() == 1

    task = PeriodicTask.objects.select_related("crontab").get(name="daily-reminders")
    assert task.task == "accounts.tasks.send_reminders_task"
    assert (task.crontab.hour, task.crontab.minute) == ("9", "0")
    assert install_default_schedule() == 0


def test_the_schedule_is_edited_in_admin(admin_client):
    response = admin_client.get("/admin/django_celery_beat/periodictask/")
    assert response.status_code == 200
    page = response.content.decode()
    for name in DEFAULT_TASKS:
        assert name in page
    task = PeriodicTask.objects.get(name="daily-reminders")
    change = admin_client.get(f"/admin/django_celery_beat/periodictask/{task.pk}/change/")
    assert change.status_code == 200
    assert admin_client.get("/admin/django_celery_beat/crontabschedule/").status_code == 200
