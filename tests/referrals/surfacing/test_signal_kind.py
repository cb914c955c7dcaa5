"""The `signal` kind wherever a referral shows up (SPEC §14, §3.1, §3.2): filed by reviewers
and queue leads through the form, the API and bulk import, routed to `surfaced`, shown with
its detector and reasons to platform roles, "Surfacing" as the filer of a detector's signal,
and the statement of reasons that says whether a machine found it.

Who may reach what is in test_signal_access.py.
"""

import csv
import io

import pytest

from referrals.models import BulkJob, Kind, Referral, Status, Subject
from referrals.review.services.decisions import referral_decide
from referrals.surfacing.services.signals import Match, NewSignal, signals_raise
from tests.referrals.dsa_rules import statement_errors
from tests.referrals.factories import referral_data
from tests.referrals.review_factories import DECISION, decided

pytestmark = pytest.mark.django_db

NEW = "/referrals/new/"
API = "/api/v1/referrals/"
BULK = "/api/v1/referrals/bulk/"
REASONS = ["Same profile picture as a suspended account", "Reposts its videos within minutes"]
SUSPENDED, LOOKALIKE = "abu_muhammad_7", "abu.muhammad8"


def signal_form(**overrides) -> dict:
    data = referral_data(Kind.SIGNAL, **overrides)
    data["targets"] = "\n".join(t.get("url") or f"{t['platform']}:{t['account']}" for t in data["targets"])
    return data


def page(referral) -> str:
    return f"/referrals/{referral.reference}/"


def look_alike(lead, ngo_member, django_capture_on_commit_callbacks) -> Referral:
    """A detector's signal: `abu.muhammad8` resembles the suspended `abu_muhammad_7`, routed."""
    decided(lead, ngo_member, targets=[{"platform": "x", "account": SUSPENDED}])
    suspended = Subject.objects.get(platform="x", account=SUSPENDED)
    match = Match(subject=suspended, basis="handle", score=91, candidate_value=LOOKALIKE, suspended_value=SUSPENDED)
    reason = f"handle '{LOOKALIKE}' is 91 % similar to suspended x · {SUSPENDED}"
    with django_capture_on_commit_callbacks(execute=True):
        [signal] = signals_raise(
            by=lead,
            signals=[
                NewSignal(platform="x", account=LOOKALIKE, detector="lookalike", reasons=[reason], matches=[match])
            ],
        )
    return Referral.objects.get(pk=signal.pk)


# --- Filing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "lead"])
def test_a_signal_filed_through_the_form_is_routed_to_surfaced(
    request, client_for, persona, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(persona)
    assert not Referral.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(NEW, signal_form(signal_reasons="\n".join(REASONS) + "\n\n"))

    signal = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == page(signal)
    assert (signal.kind, signal.detector, signal.signal_reasons) == ("signal", "manual", REASONS)
    assert (signal.submitted_by, signal.organisation) == (user, user.membership.organisation)
    assert not signal.raised_by_detector
    # Routed on commit: rule "kind signal → surfaced"; kind 30 + severity high 40.
    assert (signal.status, signal.queue.slug, signal.priority) == (Status.ROUTED, "surfaced", 70)


def test_the_form_offers_reviewers_the_reasons_box_but_no_good_faith_mark(client_for, reviewer, ngo_member):
    form = client_for(reviewer).get(NEW).context["form"]
    assert "signal_reasons" in form.fields
    assert form.fields["signal_reasons"].label == "Why (one reason per line)"
    assert not form.fields["good_faith_confirmed"].required_mark
    assert '"signal_reasons": ["signal"]' in form.fields_by_kind_json
    assert "signal_reasons" not in client_for(ngo_member).get(NEW).context["form"].fields


def test_a_signal_needs_no_good_faith_confirmation_nor_reasons(client_for, reviewer):
    response = client_for(reviewer).post(NEW, signal_form(good_faith_confirmed=None))

    assert response.status_code == 302
    assert Referral.objects.get().signal_reasons == []


def test_a_signal_filed_through_the_api_keeps_its_reasons_and_lands_in_surfaced(
    api_for, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(lead).post(API, referral_data(Kind.SIGNAL, signal_reasons=REASONS), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["detector"], body["signal_reasons"]) == ("signal", "manual", REASONS)
    signal = Referral.objects.get(id=body["id"])
    assert (signal.queue.slug, signal.priority) == ("surfaced", 70)
    detail = api_for(lead).get(f"{API}{signal.id}/").json()
    assert (detail["queue"], detail["detector"], detail["signal_reasons"]) == ("surfaced", "manual", REASONS)


def test_an_imminent_signal_still_goes_to_urgent_threats(api_for, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(reviewer).post(API, referral_data(Kind.SIGNAL, severity="imminent"), format="json")

    signal = Referral.objects.get(id=response.json()["id"])
    assert (signal.queue.slug, signal.priority) == ("urgent-threats", 30 + 80)


def test_signal_reasons_that_are_not_a_list_of_sentences_are_refused(api_for, reviewer):
    response = api_for(reviewer).post(API, referral_data(Kind.SIGNAL, signal_reasons=[{"a": 1}]), format="json")

    assert response.status_code == 400
    assert "signal_reasons" in response.json()
    assert not Referral.objects.exists()


def test_reviewers_bulk_file_signals_from_json_and_other_kinds_are_refused_per_row(
    api_for, reviewer, django_capture_on_commit_callbacks
):
    items = [
        referral_data(Kind.SIGNAL, signal_reasons=REASONS, targets=[{"platform": "x", "account": "one"}]),
        referral_data(Kind.NOTICE, targets=[{"platform": "x", "account": "two"}]),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(reviewer).post(BULK, {"items": items}, format="json")

    assert response.status_code == 202, response.json()
    job = BulkJob.objects.get(id=response.json()["job"])
    assert (job.status, job.created, job.failed) == ("done", 1, 1)
    assert job.errors[0]["row"] == 2 and "kind" in job.errors[0]["errors"]
    signal = Referral.objects.get()
    assert (signal.kind, signal.detector, signal.signal_reasons, signal.queue.slug) == (
        "signal",
        "manual",
        REASONS,
        "surfaced",
    )


def test_a_csv_of_signals_carries_one_reason_per_line_of_its_cell(client_for, lead, django_capture_on_commit_callbacks):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "category", "severity", "explanation", "targets", "signal_reasons"])
    writer.writerow(["signal", "glorification", "medium", "x" * 30, "x:reposter", "\n".join(REASONS)])
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "signals.csv"

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post("/referrals/bulk/", {"file": upload})

    assert response.status_code == 302
    signal = Referral.objects.get()
    assert (signal.kind, signal.signal_reasons, signal.queue.slug) == ("signal", REASONS, "surfaced")


def test_the_csv_template_has_the_reasons_column_only_for_those_who_file_signals(client_for, reviewer, ngo_member):
    from referrals.intake.services.bulk import parse_csv

    mine = client_for(reviewer).get("/referrals/bulk/template.csv").content
    theirs = client_for(ngo_member).get("/referrals/bulk/template.csv").content

    assert mine.splitlines()[0].decode().endswith(",signal_reasons")
    assert [i["data"]["kind"] for i in parse_csv(mine)] == ["notice", "le_referral", "signal"]
    assert b"signal_reasons" not in theirs
    assert [i["data"]["kind"] for i in parse_csv(theirs)] == ["notice", "le_referral"]
    assert "signal_reasons" in client_for(reviewer).get("/referrals/bulk/").content.decode()
    assert "signal_reasons" not in client_for(ngo_member).get("/referrals/bulk/").content.decode()


# --- Display -------------------------------------------------------------------------------------


def test_a_manual_signal_page_shows_its_detector_its_reasons_and_its_filer(client_for, reviewer, lead):
    client_for(reviewer).post(NEW, signal_form(signal_reasons="\n".join(REASONS)))
    signal = Referral.objects.get()

    html = client_for(lead).get(page(signal)).content.decode()

    assert "Why it was surfaced" in html
    assert "Raised by a reviewer" in html
    for reason in REASONS:
        assert f'<li dir="auto">{reason}</li>' in html
    assert f"<dt>Filed by</dt><dd><bdi>{reviewer.email}</bdi></dd>" in html
    assert "Surfacing" not in html
    assert "Suspended accounts it resembles" not in html


def test_a_look_alike_signal_shows_surfacing_as_its_filer_and_the_accounts_it_resembles(
    client_for, api_for, lead, reviewer, ngo_member, django_capture_on_commit_callbacks
):
    signal = look_alike(lead, ngo_member, django_capture_on_commit_callbacks)
    assert (signal.submitted_by, signal.raised_by_detector, signal.queue.slug) == (None, True, "surfaced")
    suspended = Subject.objects.get(platform="x", account=SUSPENDED)

    html = client_for(reviewer).get(page(signal)).content.decode()

    assert "Look-alike of a suspended account" in html
    assert f"handle &#x27;{LOOKALIKE}&#x27; is 91 % similar" in html
    assert "<dt>Filed by</dt><dd><bdi>Surfacing</bdi></dd>" in html
    assert '<strong>Received</strong> <span class="muted">by <bdi>Surfacing</bdi></span>' in html
    assert "<caption>Suspended accounts it resembles</caption>" in html
    assert f'href="/subjects/{suspended.id}/"><bdi>x</bdi> · <bdi>{SUSPENDED}</bdi></a>' in html
    assert f"<td>Handle: <code><bdi>{LOOKALIKE}</bdi></code> ~ <code><bdi>{SUSPENDED}</bdi></code></td>" in html
    assert "<td>91 %</td>" in html
    events = api_for(reviewer).get(f"{API}{signal.id}/events/").json()
    assert [e["actor"] for e in events if e["type"] == "received"] == ["Surfacing"]
    assert [e["actor"] for e in events if e["type"] == "routed"] == ["System"]


def test_a_notice_shows_its_filer_and_no_signal_section(client_for, reviewer, ngo_member):
    client_for(ngo_member).post(NEW, {**signal_form(kind="notice"), "good_faith_confirmed": "on"})
    notice = Referral.objects.get()

    html = client_for(reviewer).get(page(notice)).content.decode()

    assert f"<dt>Filed by</dt><dd><bdi>{ngo_member.email}</bdi></dd>" in html
    assert "Why it was surfaced" not in html


def test_lists_show_signals_by_their_kind_label_and_filter_them(client_for, reviewer, ngo_member, lead, api_for):
    api_for(reviewer).post(API, referral_data(Kind.SIGNAL), format="json")
    api_for(ngo_member).post(API, referral_data(Kind.NOTICE), format="json")
    signal = Referral.objects.get(kind=Kind.SIGNAL)
    from referrals.review.services.routing import referral_route_batch

    referral_route_batch(seqs=[signal.seq])

    mine = client_for(reviewer).get("/referrals/?kind=signal")
    assert mine.status_code == 200
    assert [r.kind for r in mine.context["referrals"]] == ["signal"]
    assert "<td>Signal</td>" in mine.content.decode()
    assert '<option value="signal" selected>Signal</option>' in mine.content.decode()
    worklist = client_for(lead).get("/queues/surfaced/?kind=signal")
    assert worklist.status_code == 200
    assert signal.reference in worklist.content.decode()
    assert "</span> Signal</td>" in worklist.content.decode()


def test_a_signals_progress_is_not_sent_to_every_member_of_the_platform(
    lead, reviewer, policy, mailoutbox, django_capture_on_commit_callbacks
):
    from portal.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        signal = decided(lead, reviewer, Kind.SIGNAL)

    assert signal.status == Status.ACTIONED
    assert not Notification.objects.exists()
    assert mailoutbox == []


# --- The statement of reasons --------------------------------------------------------------------


def _statement(api, referral) -> dict:
    response = api.get(f"{API}{referral.id}/statement-of-reasons/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert statement_errors(body) == {}
    assert statement_errors(body, multi=False) == {}
    return body


def test_a_detectors_signal_is_exported_as_automated_detection_of_the_platforms_own_initiative(
    api_for, lead, reviewer, ngo_member, django_capture_on_commit_callbacks
):
    signal = look_alike(lead, ngo_member, django_capture_on_commit_callbacks)
    referral_decide(by=lead, referral=signal, **DECISION)

    body = _statement(api_for(reviewer), signal)

    assert (body["automated_detection"], body["source_type"]) == ("Yes", "SOURCE_VOLUNTARY")
    assert body["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"


def test_a_reviewers_signal_is_exported_as_the_platforms_own_initiative_found_by_a_person(api_for, lead, reviewer):
    signal = decided(lead, reviewer, Kind.SIGNAL)
    assert signal.detector == "manual"

    body = _statement(api_for(reviewer), signal)

    assert (body["automated_detection"], body["source_type"]) == ("No", "SOURCE_VOLUNTARY")


def test_a_notice_is_still_exported_as_a_notice_found_by_a_person(api_for, lead, reviewer, other_ngo_member):
    body = _statement(api_for(reviewer), decided(lead, other_ngo_member))

    assert (body["automated_detection"], body["source_type"]) == ("No", "SOURCE_ARTICLE_16")


def test_a_signal_cannot_be_put_on_hold_for_a_submitter_who_does_not_exist(
    lead, routing_table, django_capture_on_commit_callbacks
):
    from portal.errors import TransitionError
    from referrals.intake.services.filing import referral_submit
    from referrals.review.services import claims

    with django_capture_on_commit_callbacks(execute=True):
        signal = referral_submit(
            user=lead,
            data={
                "kind": "signal",
                "category": "propaganda",
                "severity": "medium",
                "explanation": "Account reposts a proscribed group's videos every hour.",
                "targets": [{"platform": "x", "account": "someone_reposting"}],
            },
        )
    signal = claims.referral_claim(by=lead, referral=Referral.objects.get(pk=signal.pk))
    with pytest.raises(TransitionError):
        claims.referral_request_info(by=lead, referral=signal, message="Who are you?")
    signal.refresh_from_db()
    assert signal.status == "in_review"
