from referrals.models import Subject
from referrals.review.selectors import LINKED_PREVIEW, referral_subjects
from tests.referrals.factories import make_referral


def _hyper_referral(ngo_member, links: int):
    referral = make_referral(ngo_member, targets=[{"url": "https://x.com/hyper_account"}])
    hyper = Subject.objects.get(account="hyper_account")
    hyper.linked.add(*Subject.objects.bulk_create(Subject(platform="x", account=f"amp{i}") for i in range(links)))
    return referral


def test_the_review_panel_shows_the_first_linked_subjects_and_points_to_the_rest(client_for, reviewer, ngo_member):
    referral = _hyper_referral(ngo_member, LINKED_PREVIEW + 5)

    [entry] = referral_subjects(reviewer, referral)

    assert len(entry["linked"]) == LINKED_PREVIEW
    assert entry["linked_more"]
    page = client_for(reviewer).get(f"/referrals/{referral.reference}/")
    assert b"more on the account&#x27;s page" in page.content or b"more on the account's page" in page.content


def test_a_subject_with_few_links_shows_them_all(reviewer, ngo_member):
    referral = _hyper_referral(ngo_member, 3)
    [entry] = referral_subjects(reviewer, referral)
    assert {s.account for s in entry["linked"]} == {"amp0", "amp1", "amp2"}
    assert not entry["linked_more"]


def test_the_panel_reads_a_fixed_number_of_queries_whatever_the_links(reviewer, ngo_member, django_assert_num_queries):
    few = _hyper_referral(ngo_member, 2)
    with django_assert_num_queries(3):  # subjects, other referrals, first links (membership is cached)
        referral_subjects(reviewer, few)
    Subject.objects.get(account="hyper_account").linked.add(
        *Subject.objects.bulk_create(Subject(platform="x", account=f"more{i}") for i in range(60))
    )
    with django_assert_num_queries(3):
        referral_subjects(reviewer, few)
