"""Fixtures of the councils tests. The cast:

- ``council``: an active public council of ``state_body`` (here the council's body);
- ``other_council``: another one, of another state body;
- ``secretary`` / ``other_secretary``: users who keep ``council`` / ``other_council``;
- ``officer`` (tests/conftest.py): an officer of ``state_body``, so of ``council``'s body;
  ``other_officer``: an officer of ``other_council``'s body.
"""

import pytest

from tests.factories import OfficerFactory

from .factories import CouncilFactory, CouncilSecretaryFactory


@pytest.fixture
def council(db):
    return CouncilFactory()


@pytest.fixture
def state_body(council):
    """The council's state body (the shared ``officer`` fixture is an officer of it)."""
    return council.state_body


@pytest.fixture
def other_council(db):
    return CouncilFactory()


@pytest.fixture
def secretary(council):
    return CouncilSecretaryFactory(council=council).user


@pytest.fixture
def other_secretary(other_council):
    return CouncilSecretaryFactory(council=other_council).user


@pytest.fixture
def other_officer(other_council):
    return OfficerFactory(state_body=other_council.state_body).user
