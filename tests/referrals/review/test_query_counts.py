"""Every referral list page and endpoint runs a fixed number of SQL queries, whatever the
number of rows it shows (SPEC §12): the counts are pinned, and the same with 3 rows as
with 30."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve
from django.urls.exceptions import Resolver404

from referrals.intake.services.evidence import evidence_add
from referrals.models import Queue, Subject
from referrals.review.services.claims import referral_claim
from referrals.review.services.routing import referral_route_batch
from tests.referrals.evidence_files import png_bytes
from tests.referrals.factories import make_referral

HYPER = "hyper_account"


def _file(user, count: int, *, amplifiers: bool = True, reviewer=None) -> list:
    """`count` notices naming the hyper account (and each a new amplifier), routed, each
    with a screenshot; with `reviewer`, every third is claimed by them."""
    referrals = []
    for i in range(Subject.objects.count(), Subject.objects.count() + count):
        targets = [{"platform": "x", "account": HYPER}]
        if amplifiers:
            targets.append({"platform": "x", "account": f"amplifier_{i}"})
        referrals.append(make_referral(user, targets=targets, category="propaganda", severity="medium"))
    referral_route_batch(seqs=[r.seq for r in referrals])
    for i, referral in enumerate(referrals):
        referral.refresh_from_db()
        upload = SimpleUploadedFile("screenshot.png", png_bytes(), content_type="image/png")
        evidence_add(referral=referral, uploads=[upload], user=user)
        if reviewer is not None and i % 3 == 0:
            referral.queue.members.add(reviewer)
            referral_claim(by=reviewer, referral=referral)
    return referrals


def _hyper():
    """A function giving the hyper subject's id, looked up on the first (warm-up) call only,
    so the lookup is not among the measured queries."""
    ids = {}

    def get():
        if "id" not in ids:
            ids["id"] = Subject.objects.get(account=HYPER).id
        return ids["id"]

    return get


def _queries(request) -> tuple[int, object]:
    """Queries of `request` once warm: the first call of a token or session also records
    its last use, which later calls skip for a while."""
    request()
    with CaptureQueriesContext(connection) as captured:
        response = request()
    assert response.status_code == 200, response.content[:500]
    return len(captured), response


@pytest.fixture
def three_and_thirty(ngo_member):
    """A callable taking `measure(request)`: files 3 referrals, measures, files 27 more,
    measures again, and returns both counts and the last response."""

    def run(request, *, reviewer=None):
        _file(ngo_member, 3, reviewer=reviewer)
        small, first = _queries(request)
        _file(ngo_member, 27, reviewer=reviewer)
        large, response = _queries(request)
        return small, large, first, response

    return run


def _rows(response) -> int:
    return len(response.json()["results"])


# --- Partners: "my referrals" ---------------------------------------------------------------


# Session, user, membership, referrals with organisation/queue/decision, their targets,
# their evidence, the organisation named in the page header, the header's unread count, the
# active incidents of the banner a verified partner sees (SPEC §18).
MY_REFERRALS_PAGE = 9


def test_my_referrals_page_queries_do_not_grow_with_rows(three_and_thirty, ngo_member, reviewer, client_for):
    client = client_for(ngo_member)
    small, large, first, response = three_and_thirty(lambda: client.get("/referrals/"), reviewer=reviewer)
    assert b"R-" in first.content
    assert response.content.count(b'href="/referrals/R-') >= 30
    assert small == large == MY_REFERRALS_PAGE


# Token with its user, membership and organisation (also the scoping's), referrals with
# organisation/queue/decision, their targets, their evidence.
MY_REFERRALS_API = 4


def test_my_referrals_api_queries_do_not_grow_with_rows(three_and_thirty, ngo_member, reviewer, api_for):
    """Some are assigned to a reviewer: partners never see who, and it costs no query."""
    api = api_for(ngo_member)
    small, large, first, response = three_and_thirty(lambda: api.get("/api/v1/referrals/"), reviewer=reviewer)
    assert _rows(first) == 3 and _rows(response) == 30
    assert small == large == MY_REFERRALS_API


def test_my_referrals_api_queries_do_not_grow_with_page_size(ngo_member, reviewer, api_for):
    _file(ngo_member, 12, amplifiers=False, reviewer=reviewer)
    api = api_for(ngo_member)
    small, _ = _queries(lambda: api.get("/api/v1/referrals/?page_size=2"))
    large, response = _queries(lambda: api.get("/api/v1/referrals/?page_size=200"))
    assert _rows(response) == 12
    assert small == large


# --- Platform: work lists, subjects, timelines ------------------------------------------------


# Token with its user, membership, organisation and the second factor an MFA role must have,
# the queue, referrals with organisation/queue/decision/assignee and their related count,
# their targets, their evidence with its known-content flag.
WORKLIST_API = 5


def test_worklist_api_queries_do_not_grow_with_rows(three_and_thirty, reviewer, api_for):
    api = api_for(reviewer)
    small, large, first, response = three_and_thirty(lambda: api.get("/api/v1/queues/trusted-flaggers/referrals/"))
    assert _rows(first) == 3 and _rows(response) == 30
    assert small == large == WORKLIST_API


def _page_exists(path: str) -> bool:
    try:
        resolve(path)
    except (Resolver404, NoReverseMatch):
        return False
    return True


def test_worklist_page_queries_do_not_grow_with_rows(three_and_thirty, reviewer, client_for):
    if not _page_exists("/queues/trusted-flaggers/"):
        pytest.fail("The work list page /queues/<slug>/ (SPEC §10) is not routed")
    client = client_for(reviewer)
    small, large, _, response = three_and_thirty(lambda: client.get("/queues/trusted-flaggers/"))
    assert response.content.count(b"R-") >= 30
    assert small == large


# --- Law-enforcement requests in the page: one more statement, the audit entry -----------------


def _file_requests(liaison, count: int) -> None:
    """`count` routed LE referrals (queue le-referrals), each naming a new account."""
    first = Subject.objects.count()
    referrals = [
        make_referral(liaison, "le_referral", targets=[{"platform": "x", "account": f"le_account_{first + i}"}])
        for i in range(count)
    ]
    referral_route_batch(seqs=[r.seq for r in referrals])


def _three_and_thirty_requests(liaison, request) -> tuple[int, int]:
    _file_requests(liaison, 3)
    small, first = _queries(request)
    _file_requests(liaison, 27)
    large, response = _queries(request)
    assert _rows(first) == 3 and _rows(response) == 30
    return small, large


def test_an_agencys_list_adds_only_the_audit_insert(liaison, api_for):
    api = api_for(liaison)

    small, large = _three_and_thirty_requests(liaison, lambda: api.get("/api/v1/referrals/"))

    # As MY_REFERRALS_API (an NGO's; the second factor a liaison's token must have is read with
    # the token), plus the INSERT of the one audit entry naming the page's requests.
    assert small == large == MY_REFERRALS_API + 1


def test_a_worklist_of_requests_adds_only_the_audit_insert(liaison, reviewer, api_for):
    api = api_for(reviewer)

    small, large = _three_and_thirty_requests(liaison, lambda: api.get("/api/v1/queues/le-referrals/referrals/"))

    # As WORKLIST_API, plus the INSERT of the one audit entry naming the page's requests.
    assert small == large == WORKLIST_API + 1


# Token with its user, membership, organisation and the second factor an MFA role must have,
# the subject with its suspending referral, its latest referrals with organisation and queue,
# its linked subjects (their counts are a column), how many are linked, the audit row (insert).
SUBJECT_API = 6


def test_subject_api_queries_do_not_grow_with_rows(three_and_thirty, reviewer, api_for):
    api = api_for(reviewer)
    hyper = _hyper()

    def request():
        return api.get(f"/api/v1/subjects/{hyper()}/")

    small, large, first, response = three_and_thirty(request)
    assert len(first.json()["referrals"]) == 3 and len(first.json()["linked"]) == 3
    assert len(response.json()["referrals"]) == 30 and len(response.json()["linked"]) == 30
    assert small == large == SUBJECT_API


def test_subject_page_queries_do_not_grow_with_rows(three_and_thirty, reviewer, client_for):
    if not _page_exists("/subjects/00000000-0000-0000-0000-000000000000/"):
        pytest.fail("The subject page /subjects/<id>/ (SPEC §10) is not routed")
    client = client_for(reviewer)
    hyper = _hyper()

    def request():
        return client.get(f"/subjects/{hyper()}/")

    small, large, _, response = three_and_thirty(request)
    assert response.content.count(b"R-") >= 30
    assert small == large


# Token with its user, membership and organisation (also the scoping's), the referral with
# organisation/queue/decision, its targets, its evidence, the events with their actors and
# memberships.
EVENTS_API = 5


def test_events_api_queries_do_not_grow_with_events(ngo_member, reviewer, api_for):
    (referral,) = _file(ngo_member, 1)
    api = api_for(ngo_member)
    small, first = _queries(lambda: api.get(f"/api/v1/referrals/{referral.id}/events/"))
    queue = Queue.objects.get(pk=referral.queue_id)
    queue.members.add(reviewer)
    from referrals.review.services.claims import referral_claim, referral_release

    for _ in range(14):  # 28 more events, from a platform actor
        referral_claim(by=reviewer, referral=referral)
        referral_release(by=reviewer, referral=referral)
    large, response = _queries(lambda: api.get(f"/api/v1/referrals/{referral.id}/events/"))
    assert len(first.json()) == 3 and len(response.json()) == 31
    assert small == large == EVENTS_API
