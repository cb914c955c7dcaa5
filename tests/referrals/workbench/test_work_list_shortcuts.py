"""The markup the keyboard shortcuts (static/js/shortcuts.js, SPEC §15) act on, on the work list
and the review page, and the review page's desktop layout; the keys themselves are driven in
tests/browser/test_workbench_keyboard.py."""

import re

import pytest

from referrals.models import Queue
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db

URL = "/queues/general/"


def _dialog(page: str) -> str:
    match = re.search(r"<dialog[^>]*>.*?</dialog>", page, re.S)
    assert match, "no <dialog> on the page"
    return match.group(0)


def test_the_work_list_lists_its_shortcuts_in_a_dialog_with_a_heading(client_for, reviewer, other_ngo_member):
    Queue.objects.get(slug="general").members.add(reviewer)
    routed(other_ngo_member)

    page = client_for(reviewer).get(URL).content.decode()

    assert 'data-module="shortcuts"' in page
    dialog = _dialog(page)
    assert 'aria-labelledby="shortcuts-h"' in dialog
    assert '<h2 id="shortcuts-h">Keyboard shortcuts</h2>' in dialog
    for key in ("j", "k", "c", "d", "?", "Esc"):
        assert f"<kbd>{key}</kbd>" in dialog
    assert '<form method="dialog"><button type="submit" class="button">Close</button></form>' in dialog
    # The button that opens it is shown by the script only.
    assert re.search(r"<button [^>]*data-shortcuts-open[^>]*hidden>", page)


def test_the_rows_are_stops_for_j_and_k(client_for, reviewer, other_ngo_member):
    routed(other_ngo_member), routed(other_ngo_member)

    page = client_for(reviewer).get(URL).content.decode()

    assert page.count("<tr data-shortcut-row>") == 2


def test_c_has_the_queues_claim_form_for_its_members_only(client_for, reviewer, other_ngo_member):
    routed(other_ngo_member)
    client = client_for(reviewer)

    assert 'data-shortcut="claim"' not in client.get(URL).content.decode()
    Queue.objects.get(slug="general").members.add(reviewer)
    page = client.get(URL).content.decode()

    assert '<form method="post" action="/queues/general/claim/" data-shortcut="claim">' in page


def test_the_review_page_offers_claim_next_and_the_shortcuts_to_the_queues_reviewers(
    client_for, reviewer, other_ngo_member
):
    referral = claimed(reviewer, other_ngo_member)

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()

    assert 'data-module="shortcuts"' in page
    assert '<form method="post" action="/queues/general/claim/" data-shortcut="claim">' in page
    assert "Claim next from General" in page
    # `d` goes to the decision form: the one labelled by its heading.
    assert re.search(r'<form method="post" action="/referrals/[^"]+/decide/" aria-labelledby="decide-h"', page)
    # On the review page `j`/`k` open the queue's next and previous referral.
    assert "<dt><kbd>j</kbd></dt><dd>Open the next referral of the queue</dd>" in _dialog(page)


def test_the_review_page_has_no_claim_form_for_those_outside_the_queue(client_for, reviewer, policy, other_ngo_member):
    referral = routed(other_ngo_member)

    for user in (reviewer, policy):
        page = client_for(user).get(f"/referrals/{referral.reference}/").content.decode()
        assert 'data-module="shortcuts"' in page
        assert 'data-shortcut="claim"' not in page


def test_partners_get_neither_shortcuts_nor_the_workbench_layout(client_for, other_ngo_member):
    referral = routed(other_ngo_member)

    page = client_for(other_ngo_member).get(f"/referrals/{referral.reference}/").content.decode()

    assert 'data-module="shortcuts"' not in page
    assert "page-workbench" not in page
    assert "/claim/" not in page


def test_the_review_page_lays_out_details_evidence_and_decision_for_the_desktop(client_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()

    assert '<main id="main" class="page page-workbench"' in page
    for block in ("referral-details", "referral-evidence", "referral-timeline", "referral-aside"):
        assert block in page
    # In the panel the decision comes before the routing reasons and the accounts named.
    assert page.index('id="decide-h"') < page.index("Why it was routed here") < page.index("Accounts named")


def test_the_review_page_links_the_queues_previous_and_next_referral_for_k_and_j(
    client_for, reviewer, ngo_member, other_ngo_member
):
    Queue.objects.get(slug="general").members.add(reviewer)
    first, middle, last = (routed(other_ngo_member) for _ in range(3))
    order = [r.reference for r in (first, middle, last)]

    page = client_for(reviewer).get(f"/referrals/{middle.reference}/").content.decode()

    near = re.search(r'<nav class="queue-neighbours".*?</nav>', page, re.S).group(0)
    previous = re.search(r'href="/referrals/([^/]+)/" rel="prev" data-shortcut-previous', near).group(1)
    following = re.search(r'href="/referrals/([^/]+)/" rel="next" data-shortcut-next', near).group(1)
    assert [previous, middle.reference, following] == order or [following, middle.reference, previous] == order
    assert "Open the next referral of the queue" in _dialog(page)


def test_the_first_referral_has_no_previous_and_partners_get_no_neighbours(client_for, reviewer, other_ngo_member):
    Queue.objects.get(slug="general").members.add(reviewer)
    only = routed(other_ngo_member)

    assert "queue-neighbours" not in client_for(reviewer).get(f"/referrals/{only.reference}/").content.decode()
    assert "queue-neighbours" not in client_for(other_ngo_member).get(f"/referrals/{only.reference}/").content.decode()
