"""Fixtures shared by every test. The cast of users:

- ``owner``: owns ``organization``;
- ``editor``: edits ``organization``;
- ``outsider``: a signed-up user with no role anywhere;
- ``officer``: an officer of ``state_body``;
- ``admin_user`` (pytest-django): a superuser.
"""

import pytest
from django.core.cache import cache

from socialorder.celery import app as celery_app

from .factories import (
    MembershipFactory,
    OfficerFactory,
    OrganizationFactory,
    StateBodyFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _isolated(settings):
    """Tasks run inline unless a test starts a real worker; rate limits start afresh."""
    celery_app.conf.task_always_eager = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def owner(organization):
    return MembershipFactory(organization=organization, role="owner").user


@pytest.fixture
def editor(organization):
    return MembershipFactory(organization=organization, role="editor").user


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture
def state_body(db):
    return StateBodyFactory()


@pytest.fixture
def officer(state_body):
    return OfficerFactory(state_body=state_body).user


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(client, owner):
    return client_for(client, owner)
