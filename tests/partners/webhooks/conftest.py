import pytest

from partners.webhooks.services import webhook_create
from tests.partners.webhooks.receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


@pytest.fixture
def make_webhook(ngo_admin):
    def make(url: str, events=("referral.decided",), by=None):
        return webhook_create(by=by or ngo_admin, url=url, events=list(events))

    return make
