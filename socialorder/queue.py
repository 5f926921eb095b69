"""Queue Celery work after the transaction commits, surviving a broker outage."""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def _delay(task, args) -> None:
    try:
        task.delay(*args)
    except Exception:
        # The broker is unreachable; the row stays marked as not done and the
        # periodic sweep of the same work picks it up.
        logger.warning("Could not queue %s%s; its sweep will do it.", task.name, args)


def delay_on_commit(task, *args) -> None:
    """``task.delay(*args)`` once the current transaction commits."""
    transaction.on_commit(partial(_delay, task, args))
