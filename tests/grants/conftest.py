"""The cast of the grants tests (on top of tests/conftest.py):

- ``applicant``: the owner of ``organization`` (an NCO with a complete profile), writes in Kyrgyz;
- ``editor``: an editor of ``organization``;
- ``other_member``: the owner of another NCO;
- ``officer``: an officer of ``state_body``, the customer of ``competition``;
- ``other_officer``: an officer of another state body;
- ``commission_member``: sits on the commission of ``competition``;
- ``outsider``: signed up, no role anywhere;
- ``competition``: open, deadline in 40 days, one required document;
- ``application``: a complete draft of ``organization`` to ``competition``;
- ``submitted``: the same, submitted once (version 1).
"""

import pytest

from tests.competitions.factories import CommissionMemberFactory
from tests.factories import MembershipFactory, OfficerFactory

from .factories import ApplicationFactory, open_competition, submitted_application


@pytest.fixture
def applicant(owner):
    return owner


@pytest.fixture
def other_member(db):
    return MembershipFactory(role="owner").user


@pytest.fixture
def other_officer(db):
    return OfficerFactory().user


@pytest.fixture
def competition(state_body):
    return open_competition(state_body=state_body)


@pytest.fixture
def commission_member(competition):
    return CommissionMemberFactory(competition=competition).user


@pytest.fixture
def application(competition, organization, applicant):
    return ApplicationFactory(
        competition=competition, organization=organization, created_by=applicant, complete=True
    )


@pytest.fixture
def submitted(competition, organization, applicant):
    return submitted_application(
        applicant, competition=competition, organization=organization, created_by=applicant
    )
