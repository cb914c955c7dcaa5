"""The `appeals` queue's row on the queues page (SPEC §16): it holds appeals, not referrals, so
the row counts the open appeals and complaints and links to /appeals/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Appeal
from tests.referrals.redress.redress_factories import appealed, complained, no_violation, suspended

pytestmark = pytest.mark.django_db


def appeals_row(html: str) -> str:
    start = html.index('<a href="/appeals/">')
    return html[start : html.index("</tr>", start)]


def test_the_appeals_row_counts_open_appeals_and_links_to_them(ngo_member, lead, reviewer, client_for):
    appealed(no_violation(lead, ngo_member, accounts=("one",)), ngo_member)
    late = complained(suspended(lead, ngo_member, accounts=("two",)), reviewer)
    Appeal.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))

    row = appeals_row(client_for(reviewer).get("/queues/").content.decode())

    assert "<td>2</td>" in row  # open: an appeal and a complaint
    assert '<span class="badge badge-danger">1</span>' in row  # past due
    assert "/queues/appeals/" not in row
    assert client_for(reviewer).get("/appeals/").status_code == 200
