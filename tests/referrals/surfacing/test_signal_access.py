"""Who may file a `signal` and who may see one (SPEC §14, §3.1): reviewers and queue leads
file them (form and API); policy staff file nothing; partners may not file them, get a 404 on
any signal (it belongs to the platform) and never see `detector` or `signal_reasons`, not
even as empty fields of their own referrals.
"""

import pytest

from referrals.models import BulkJob, Kind, Referral
from tests.referrals.factories import make_referral, referral_data

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "ngo_member", "other_ngo_member", "liaison", "reviewer", "lead", "policy"]
PARTNERS = {"ngo_member", "other_ngo_member", "liaison"}
FILERS = {"reviewer", "lead"}
NEW = "/referrals/new/"
API = "/api/v1/referrals/"
SIGNAL_REFUSED = "Signals are raised only by the platform's reviewers and queue leads."
NO_FILING = "Your role does not file referrals."
PLATFORM_ONLY = {"detector", "signal_reasons", "queue", "priority", "routing_reasons"}


def form_data() -> dict:
    data = referral_data(Kind.SIGNAL, signal_reasons="Raised from the hubs page")
    data["targets"] = "https://x.com/someone"
    return data


@pytest.fixture
def signal(reviewer):
    return make_referral(reviewer, Kind.SIGNAL, signal_reasons=["Amplifies three suspended accounts"])


# --- Filing --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_filing_a_signal_through_the_form_by_persona(request, client, client_for, persona):
    if persona == "anonymous":
        assert client.get(NEW).status_code == 302
        assert client.post(NEW, form_data()).status_code == 302
        assert not Referral.objects.exists()
        return
    page = client_for(request.getfixturevalue(persona))

    got, posted = page.get(NEW), page.post(NEW, form_data())

    if persona in FILERS:
        assert got.status_code == 200
        assert [k for k, _ in got.context["form"].fields["kind"].choices] == ["signal"]
        assert posted.status_code == 302
        assert Referral.objects.get().kind == Kind.SIGNAL
    elif persona == "policy":
        assert (got.status_code, posted.status_code) == (403, 403)
        assert not Referral.objects.exists()
    else:
        # A partner's form does not offer the kind: refused on the field, nothing stored.
        assert got.status_code == 200
        assert "signal" not in dict(got.context["form"].fields["kind"].choices)
        assert posted.status_code == 200
        assert posted.context["form"].errors["kind"]
        assert not Referral.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_filing_a_signal_through_the_api_by_persona(request, anon_api, api_for, persona):
    body = referral_data(Kind.SIGNAL, signal_reasons=["Raised from the hubs page"])
    api = anon_api if persona == "anonymous" else api_for(request.getfixturevalue(persona))

    response = api.post(API, body, format="json")

    if persona == "anonymous":
        assert response.status_code in (401, 403)
    elif persona in FILERS:
        assert response.status_code == 201
        assert response.json()["detector"] == "manual"
    elif persona == "policy":
        assert response.status_code == 403
        assert response.json() == {"detail": NO_FILING}
    else:
        assert response.status_code == 403
        assert response.json() == {"detail": SIGNAL_REFUSED}
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == (1 if persona in FILERS else 0)


@pytest.mark.parametrize("persona", ["ngo_member", "liaison", "policy"])
def test_bulk_signals_are_refused_row_by_row_or_whole_by_persona(
    request, api_for, persona, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(request.getfixturevalue(persona)).post(
            f"{API}bulk/", {"items": [referral_data(Kind.SIGNAL)]}, format="json"
        )

    if persona == "policy":
        assert response.status_code == 403
        assert not BulkJob.objects.exists()
    else:
        assert response.status_code == 202
        job = BulkJob.objects.get(id=response.json()["job"])
        assert job.status == "done"
        assert (job.created, job.failed) == (0, 1)
        assert job.errors[0]["errors"]["kind"] == [SIGNAL_REFUSED]
    assert not Referral.objects.exists()


# --- Seeing one ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_signals_page_and_api_detail_by_persona(request, client, anon_api, client_for, api_for, signal, persona):
    url, api_url = f"/referrals/{signal.reference}/", f"{API}{signal.id}/"
    if persona == "anonymous":
        assert client.get(url).status_code == 302
        assert anon_api.get(api_url).status_code in (401, 403)
        return
    user = request.getfixturevalue(persona)

    got, detail = client_for(user).get(url), api_for(user).get(api_url)

    if persona in PARTNERS:
        assert (got.status_code, detail.status_code) == (404, 404)
        assert "Amplifies" not in got.content.decode() + detail.content.decode()
        assert signal.reference not in {r["reference"] for r in api_for(user).get(API).json()["results"]}
    else:
        assert (got.status_code, detail.status_code) == (200, 200)
        assert "Amplifies three suspended accounts" in got.content.decode()
        assert detail.json()["signal_reasons"] == ["Amplifies three suspended accounts"]
        assert detail.json()["detector"] == "manual"


@pytest.mark.parametrize("persona", ["ngo_member", "liaison"])
def test_partners_never_see_the_signal_fields_even_empty_on_their_own_referrals(request, api_for, persona):
    user = request.getfixturevalue(persona)
    mine = make_referral(user, Kind.NOTICE if persona == "ngo_member" else Kind.LE_REFERRAL)
    api = api_for(user)

    detail = api.get(f"{API}{mine.id}/").json()
    listed = api.get(API).json()["results"]

    assert detail["reference"] == mine.reference
    assert PLATFORM_ONLY.isdisjoint(detail)
    assert [r["reference"] for r in listed] == [mine.reference]
    assert PLATFORM_ONLY.isdisjoint(listed[0])


def test_platform_roles_see_the_signal_fields_empty_on_a_partners_referral(api_for, reviewer, ngo_member):
    notice = make_referral(ngo_member)

    detail = api_for(reviewer).get(f"{API}{notice.id}/").json()

    assert (detail["detector"], detail["signal_reasons"]) == (None, [])
