"""The cast of the competitions tests (on top of tests/conftest.py):

- ``officer``: an officer of ``state_body``, the customer of every competition here;
- ``other_officer``: an officer of another state body;
- ``nco_member``: the owner of ``organization`` (an NCO), writes in Kyrgyz;
- ``outsider``: signed up, no role anywhere (neither NCO nor officer);
- ``draft``: a complete draft of ``state_body`` with two criteria and a checklist item;
- ``published``: an open competition of ``state_body`` with a criterion and a document.
"""

import pytest

from tests.factories import MembershipFactory, OfficerFactory

from .factories import ChecklistItemFactory, CompetitionFactory, CriterionFactory, DocumentFactory


@pytest.fixture
def other_officer(db):
    return OfficerFactory().user


@pytest.fixture
def nco_member(organization):
    return MembershipFactory(organization=organization, role="owner").user


@pytest.fixture
def draft(state_body):
    competition = CompetitionFactory(state_body=state_body)
    CriterionFactory(competition=competition, order=1)
    CriterionFactory(competition=competition, order=2, weight="0.50")
    ChecklistItemFactory(competition=competition)
    return competition


@pytest.fixture
def published(state_body):
    competition = CompetitionFactory(state_body=state_body, published=True)
    CriterionFactory(competition=competition)
    ChecklistItemFactory(competition=competition)
    DocumentFactory(competition=competition)
    return competition
