import pytest

from campaigns.tests.factories import CampaignFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded CSVs and error reports go to a temporary folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign(db):
    return CampaignFactory(slug="spring-webinar", name="Spring webinar", channel="events")
