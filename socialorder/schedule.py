"""The default periodic tasks of Celery beat.

The schedule lives in the database (django-celery-beat) so that administrators
see and change it in admin. ``install_default_schedule`` runs after every
``migrate``: it adds a task that is missing and never changes one that exists,
so an administrator's edit (another hour, a task turned off) is kept.
"""

from django.conf import settings

# name: (task, every so many seconds) or (task, {"hour": .., "minute": ..}) in Bishkek time.
DEFAULT_TASKS = {
    "send-pending-emails": ("accounts.tasks.send_pending_emails_task", 300),
    "notify-pending-amendments": ("competitions.tasks.notify_pending_amendments_task", 300),
    "send-missing-receipts": ("grants.tasks.send_missing_receipts_task", 300),
    "render-pending-decision-documents": ("grants.tasks.render_pending_documents_task", 120),
    "render-pending-agreement-documents": ("grants.tasks.render_pending_agreements_task", 120),
    "close-passed-deadlines": ("competitions.tasks.close_passed_deadlines_task", 60),
    "daily-reminders": ("accounts.tasks.send_reminders_task", {"hour": 9, "minute": 0}),
}


def install_default_schedule(**kwargs) -> int:
    """Create the default periodic tasks that do not exist yet; how many were created."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    existing = set(PeriodicTask.objects.values_list("name", flat=True))
    created = 0
    for name, (task, when) in DEFAULT_TASKS.items():
        if name in existing:
            continue
        if isinstance(when, dict):
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=str(when["minute"]),
                hour=str(when["hour"]),
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
            PeriodicTask.objects.create(name=name, task=task, crontab=crontab)
        else:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=when, period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.create(name=name, task=task, interval=interval)
        created += 1
    return created
