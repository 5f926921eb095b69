"""Queue Celery work after the transaction commits, surviving a broker outage."""

import logging
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def _delay(task, args) -> None:
    try:
        task.delay(*args)
    except (OperationalError, OSError):
        # The broker is unreachable; the row stays marked as not done and the
        # periodic sweep of the same work picks it up.
        logger.warning("Could not queue %s%s; its sweep will do it.", task.name, args)
    except Exception:
        # Tasks run inline (embedded mode) and this one failed: the request that
        # queued it has committed and must not fail; the sweep tries again.
        logger.exception("Task %s%s failed; its sweep will try again.", task.name, args)


def delay_on_commit(task, *args) -> None:
    """``task.delay(*args)`` once the current transaction commits."""
    transaction.on_commit(partial(_delay, task, args))
