"""Filing through the form at /referrals/new/ (SPEC §3, §10)."""

import pytest

from referrals.intake.services.validation import REQUIRED_BY_KIND, referral_clean
from referrals.models import Evidence, Kind, Referral, Subject
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.factories import referral_data

NEW = "/referrals/new/"


def form_data(kind="notice", **overrides):
    data = referral_data(kind, **overrides)
    data["targets"] = "\n".join(t.get("url") or f"{t['platform']}:{t['account']}" for t in data["targets"])
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "kind"),
    [
        ("ngo_member", "notice"),
        ("ngo_admin", "notice"),
        ("liaison", "le_referral"),
        ("liaison", "removal_order"),
        ("liaison", "preservation_request"),
        ("liaison", "emergency_request"),
        ("unverified_liaison", "le_referral"),
    ],
)
def test_allowed_roles_file_their_kinds_through_the_form(request, client_for, persona, kind):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(NEW, form_data(kind))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert referral.kind == kind


@pytest.mark.django_db
def test_the_form_offers_only_the_kinds_the_user_may_file(client_for, ngo_member, liaison, unverified_liaison):
    def offered(user):
        form = client_for(user).get(NEW).context["form"]
        return [value for value, _ in form.fields["kind"].choices]

    assert offered(ngo_member) == ["notice"]
    assert offered(liaison) == ["le_referral", "removal_order", "preservation_request", "emergency_request"]
    assert offered(unverified_liaison) == ["le_referral"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["reviewer", "lead"])
def test_reviewers_and_leads_are_offered_only_signals(request, client_for, persona):
    form = client_for(request.getfixturevalue(persona)).get(NEW).context["form"]
    assert [value for value, _ in form.fields["kind"].choices] == ["signal"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "kind"),
    [("ngo_member", "removal_order"), ("liaison", "notice"), ("unverified_liaison", "removal_order")],
)
def test_a_kind_the_user_may_not_file_is_refused_and_nothing_stored(request, client_for, persona, kind):
    response = client_for(request.getfixturevalue(persona)).post(NEW, form_data(kind))
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_policy_staff_get_403_from_the_form(client_for, policy):
    client = client_for(policy)
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data()).status_code == 403
    assert Referral.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "change", "field"),
    [
        ("notice", {"category": ""}, "category"),
        ("notice", {"explanation": "short"}, "explanation"),
        ("notice", {"targets": ""}, "targets"),
        ("notice", {"targets": "https://x.com/ok\nftp://x.com/bad"}, "targets"),
        ("notice", {"good_faith_confirmed": ""}, "good_faith_confirmed"),
        ("notice", {"country": "Narnia"}, "country"),
        ("removal_order", {"issuing_authority": ""}, "issuing_authority"),
        ("le_referral", {"authority_reference": ""}, "authority_reference"),
        ("preservation_request", {"preserve_until": "2001-01-01"}, "preserve_until"),
    ],
)
def test_errors_are_shown_per_field_and_nothing_is_stored(client_for, ngo_member, liaison, kind, change, field):
    client = client_for(ngo_member if kind == "notice" else liaison)
    data = {**form_data(kind), **change}
    data = {k: v for k, v in data.items() if v != "" or k not in ("good_faith_confirmed",)}
    response = client.post(NEW, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Referral.objects.count() == 0
    assert Subject.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_target_line_is_named_by_its_number(client_for, ngo_member):
    response = client_for(ngo_member).post(NEW, form_data(targets=[{"url": "https://x.com/ok"}, {"url": "mailto:a@b"}]))
    assert response.context["form"].errors["targets"][0].startswith("Line 2:")


@pytest.mark.django_db
def test_targets_and_evidence_in_one_submission(client_for, ngo_member):
    data = form_data(targets=[{"url": "https://x.com/one"}, {"platform": "telegram", "account": "two"}])
    data["evidence"] = [upload("shot.png", png_bytes()), upload("report.pdf", pdf_bytes())]
    response = client_for(ngo_member).post(NEW, data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert [t.account for t in referral.targets.all()] == ["one", "two"]
    assert referral.evidence.count() == 2


@pytest.mark.django_db
def test_a_bad_evidence_file_refuses_the_whole_filing(client_for, ngo_member, settings):
    data = form_data()
    data["evidence"] = [upload("shot.png", png_bytes()), upload("page.png", b"<html><body>hi</body></html>")]
    response = client_for(ngo_member).post(NEW, data)
    assert response.status_code == 200
    assert "page.png" in response.context["form"].errors["evidence"][0]
    assert Referral.objects.count() == 0
    assert Evidence.objects.count() == 0
    root = settings.PORTAL_EVIDENCE_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@pytest.mark.django_db
def test_without_script_every_field_says_which_kinds_need_it(client_for, liaison):
    page = client_for(liaison).get(NEW).content.decode()
    assert "Needed for: removal order." in page
    assert 'data-module="referral-form"' in page
    assert 'type="file"' in page and "multiple" in page


# --- Every error at once, required fields marked, files asked for again (SPEC §20) ---------------


@pytest.mark.django_db
def test_one_submission_shows_every_error_at_once(client_for, ngo_member):
    data = form_data(category="", explanation="short", targets=[{"url": "ftp://x.com/bad"}], country="Narnia")
    del data["good_faith_confirmed"]

    response = client_for(ngo_member).post(NEW, data)

    errors = response.context["form"].errors
    assert set(errors) == {"category", "explanation", "targets", "country", "good_faith_confirmed"}, errors
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_field_gets_the_filings_own_words(client_for, ngo_member):
    response = client_for(ngo_member).post(NEW, form_data(category="", targets=[]) | {"targets": ""})

    errors = response.context["form"].errors
    assert errors["targets"] == ["Name at least one target: a URL, or a platform and an account."]
    assert "category" in errors


@pytest.mark.django_db
def test_the_error_summary_links_to_each_field_with_an_error(client_for, liaison):
    data = form_data("removal_order", issuing_authority="", legal_grounds=[], explanation="short")

    page = client_for(liaison).post(NEW, data).content.decode()

    summary = page[page.index('class="error-summary"') : page.index("</ul>", page.index('class="error-summary"'))]
    assert "There is a problem" in summary
    assert 'href="#id_issuing_authority"' in summary
    assert 'href="#id_explanation"' in summary
    assert 'href="#id_legal_grounds_0"' in summary  # a group links to its first box
    assert 'data-module="error-summary"' in page


@pytest.mark.django_db
def test_a_form_without_errors_has_no_summary(client_for, ngo_member):
    assert "error-summary" not in client_for(ngo_member).get(NEW).content.decode()


def _input(page: str, name: str) -> str:
    """The opening tag of the (first) input, select or textarea named `name`."""
    start = page.index(f'name="{name}"')
    return page[page.rindex("<", 0, start) : page.index(">", start) + 1]


@pytest.mark.django_db
def test_required_fields_are_marked_for_the_kind_on_the_page(client_for, ngo_member, liaison):
    notice = client_for(ngo_member).get(NEW).content.decode()
    for name in ("category", "explanation", "targets", "severity", "good_faith_confirmed"):
        assert "required" in _input(notice, name), name
    assert 'aria-required="true"' in _input(notice, "good_faith_confirmed")
    assert "required" not in _input(notice, "legal_basis")

    # A liaison's form starts on a law-enforcement referral; sent back with errors as a
    # removal order, it marks what a removal order requires.
    first = client_for(liaison).get(NEW).content.decode()
    assert "required" in _input(first, "authority_reference")
    assert "required" not in _input(first, "issuing_authority")
    order = client_for(liaison).post(NEW, form_data("removal_order", explanation="short")).content.decode()
    for name in ("authority_reference", "legal_basis", "issuing_authority"):
        assert 'aria-required="true"' in _input(order, name), name
    assert "required" not in _input(order, "legal_grounds")  # not on every box of the group
    legend = order[order.index("<legend>Grounds") : order.index("</legend>", order.index("<legend>Grounds"))]
    assert 'class="req"' in legend
    assert "Fields marked" in order


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(Kind))
def test_the_required_marks_say_what_the_filing_requires(kind):

    for name, kinds in REQUIRED_BY_KIND.items():
        data = referral_data(kind, **{name: None})
        data.pop(name, None)
        errors = referral_clean(data, kinds_allowed=[kind]).errors
        assert (name in errors) == (kind in kinds), (kind, name, errors)


@pytest.mark.django_db
def test_chosen_files_are_asked_for_again_when_the_form_comes_back(client_for, ngo_member):
    data = form_data(explanation="short")
    data["evidence"] = [upload("shot.png", png_bytes()), upload("report.pdf", pdf_bytes())]

    response = client_for(ngo_member).post(NEW, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Attach the files again" in page
    assert "shot.png, report.pdf" in page
    assert 'href="#id_evidence"' in page  # named in the summary too
    # Everything else the submitter typed is kept.
    assert "https://x.com/someone/status/1" in page
    assert 'value="GB"' in page
    assert Evidence.objects.count() == 0
