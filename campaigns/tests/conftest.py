import pytest

from campaigns.tests.factories import CampaignFactory


@pytest.fixture
def campaign(marketer):
    return CampaignFactory(name="Spring launch", slug="spring-launch", owner=marketer)


@pytest.fixture
def user_for(marketer, rep, other_rep, manager):
    """`user_for("rep")`: one of the role fixtures by name (None: anonymous)."""
    users = {"anonymous": None, "marketer": marketer, "rep": rep, "other_rep": other_rep, "manager": manager}
    return users.__getitem__
