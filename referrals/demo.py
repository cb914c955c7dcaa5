"""Demo referrals for `seed_demo`: every kind, from fictitious partners about fictitious accounts.

Filed through `referral_submit`, as users file them. Later statuses come from the routing and
review services when they are installed; intake alone leaves referrals `received`.
"""

from __future__ import annotations

from referrals.intake.services.filing import referral_submit
from referrals.models import Queue, Referral

MARK = "[demo]"

DEMO = [
    (
        "ngo@demo.test",
        {
            "kind": "notice",
            "category": "terrorist_recruitment",
            "severity": "high",
            "explanation": f"{MARK} Account posts recruitment videos for a proscribed militia and invites viewers "
            "to private chats.",
            "targets": [{"url": "https://x.com/demo_recruiter/status/1001"}, {"url": "https://t.me/demo_amplifier"}],
            "language": "en",
            "country": "GB",
            "good_faith_confirmed": True,
        },
    ),
    (
        "ngo@demo.test",
        {
            "kind": "notice",
            "category": "glorification",
            "severity": "medium",
            "explanation": f"{MARK} Channel praises a recent attack and shares the attacker's manifesto.",
            "targets": [{"url": "https://t.me/demo_amplifier/77"}],
            "language": "en",
            "good_faith_confirmed": True,
        },
    ),
    (
        "ngo-admin@demo.test",
        {
            "kind": "notice",
            "category": "propaganda",
            "severity": "low",
            "explanation": f"{MARK} Video channel republishing official propaganda of a designated group.",
            "targets": [{"url": "https://www.youtube.com/@demo_propaganda"}],
            "good_faith_confirmed": True,
        },
    ),
    (
        "ngo2@demo.test",
        {
            "kind": "notice",
            "category": "violent_threat",
            "severity": "imminent",
            "explanation": f"{MARK} Post names a venue and a date and threatens to attack people there.",
            "targets": [{"url": "https://x.com/Demo_Recruiter"}, {"url": "https://www.instagram.com/demo_threats/"}],
            "language": "en",
            "country": "FR",
            "good_faith_confirmed": True,
        },
    ),
    (
        "ngo2@demo.test",
        {
            "kind": "notice",
            "category": "hateful_conduct",
            "severity": "medium",
            "explanation": f"{MARK} Account repeatedly dehumanises a religious minority and calls for exclusion.",
            "targets": [{"url": "https://www.tiktok.com/@demo_hate/video/555"}],
            "good_faith_confirmed": True,
        },
    ),
    (
        "liaison@demo.test",
        {
            "kind": "le_referral",
            "category": "terrorist_instruction",
            "severity": "high",
            "explanation": f"{MARK} Account shares instructions for building improvised weapons.",
            "targets": [{"platform": "x", "account": "demo_instructor"}],
            "authority_reference": "NB-CTRU-2026-0101",
        },
    ),
    (
        "liaison@demo.test",
        {
            "kind": "removal_order",
            "category": "terrorist_incitement",
            "severity": "high",
            "explanation": f"{MARK} Video inciting attacks, subject of a removal order under Regulation 2021/784.",
            "targets": [{"url": "https://x.com/demo_recruiter/status/1002"}],
            "authority_reference": "NB-CTRU-2026-0102",
            "legal_basis": "Regulation (EU) 2021/784, Article 3",
            "issuing_authority": "Northbridge Counter-Terrorism Prosecutor (fictitious)",
            "legal_grounds": ["incitement", "threat"],
        },
    ),
    (
        "liaison@demo.test",
        {
            "kind": "preservation_request",
            "category": "terrorist_threat",
            "severity": "high",
            "explanation": f"{MARK} Preserve account data pending a production order in an ongoing investigation.",
            "targets": [{"url": "https://t.me/demo_amplifier"}],
            "authority_reference": "NB-CTRU-2026-0103",
            "legal_basis": "Northbridge Criminal Procedure Act s.12 (fictitious)",
        },
    ),
    (
        "liaison@demo.test",
        {
            "kind": "emergency_request",
            "category": "terrorist_threat",
            "explanation": f"{MARK} Credible threat to life announced for today; subscriber data needed now.",
            "targets": [{"url": "https://www.instagram.com/demo_threats/"}],
            "authority_reference": "NB-CTRU-2026-0104",
            "legal_basis": "Emergency disclosure, imminent threat to life",
            "threat_description": (
                "The account announced an armed attack on the Northbridge central market at 18:00 today, "
                "posting a photograph of weapons and the market entrance an hour ago."
            ),
            "persons_at_risk": "Shoppers and stallholders at the Northbridge central market (fictitious).",
            "requested_data": ["subscriber_info", "ip_logs", "location"],
            "attestation": True,
        },
    ),
    (
        "liaison@demo.test",
        {
            "kind": "removal_order",
            "category": "terrorist_incitement",
            "severity": "high",
            "explanation": f"{MARK} Video calls on viewers to attack a named public event next week.",
            "targets": [{"url": "https://x.com/demo_inciter/status/2002"}],
            "authority_reference": "NB-CTRU-2026-0105",
            "legal_basis": "Regulation (EU) 2021/784, Article 3",
            "issuing_authority": "Northbridge Counter-Terrorism Referral Unit (fictitious)",
            "legal_grounds": ["incitement"],
        },
    ),
]


# Where each demo referral ends up (by its index in DEMO), through the review services.
OUTCOMES = {
    0: "actioned",
    1: "needs_info",
    2: "in_review",
    3: "routed",
    4: "no_violation",
    5: "withdrawn",
    6: "actioned",
    7: "actioned",
    8: "rejected",
    9: "routed",
}
DECISIONS = {
    0: ("account_suspended", "terms", "Violent extremist organisations policy, recruitment"),
    4: ("no_action", "terms", "Hateful conduct policy"),
    6: ("content_removed", "legal", "Regulation (EU) 2021/784, Article 3"),
    7: ("data_preserved", "legal", "Preservation under the cited provision"),
    8: ("unable_to_comply", "legal", "No data held for the named account"),
}
# Filed after the suspension above, about the same account: routing closes it as a duplicate.
DUPLICATE = (
    "ngo2@demo.test",
    {
        "kind": "notice",
        "category": "terrorist_recruitment",
        "severity": "medium",
        "explanation": f"{MARK} Same recruiter account as reported earlier by another organisation.",
        "targets": [{"url": "https://twitter.com/demo_recruiter"}],
        "good_faith_confirmed": True,
    },
)


def _file(users, email, data):
    user = users[email]
    if Referral.objects.filter(submitted_by=user, explanation=data["explanation"]).exists():
        return None
    return referral_submit(user=user, data=data)


def _advance(referral: Referral, outcome: str, decision, users) -> None:
    from referrals.intake.services.filing import referral_withdraw
    from referrals.review.services import claims, decisions

    lead = users["lead@demo.test"]
    if outcome == "withdrawn":
        referral_withdraw(referral=referral, user=referral.submitted_by, reason="Filed by mistake.")
        return
    if outcome == "routed":
        return
    referral = claims.referral_claim(by=lead, referral=referral)
    if outcome == "needs_info":
        claims.referral_request_info(by=lead, referral=referral, message="Which of the posts do you mean exactly?")
    elif decision is not None:
        action, ground, policy = decision
        decisions.referral_decide(
            by=lead,
            referral=referral,
            action=action,
            ground=ground,
            policy=policy,
            statement_of_reasons=f"{MARK} Reviewed against {policy}; the outcome is recorded as {action}.",
            non_compliance_reason="insufficient_information" if action == "unable_to_comply" else "",
            apply_to_subject=False,
        )


def seed(context: dict) -> dict:
    """File the demo referrals and move them through routing and review to every status."""
    from referrals.review.services.routing import referral_route_batch

    users = context["users"]
    # The demo reviewer works every queue (SPEC §11).
    for queue in Queue.objects.all():
        queue.members.add(users["reviewer@demo.test"])
    created = {i: r for i, (email, data) in enumerate(DEMO) if (r := _file(users, email, data)) is not None}
    if created:
        referral_route_batch(seqs=[r.seq for r in created.values()])
    for i, referral in created.items():
        _advance(Referral.objects.get(pk=referral.pk), OUTCOMES[i], DECISIONS.get(i), users)
    duplicate = _file(users, *DUPLICATE)
    if duplicate is not None:
        referral_route_batch(seqs=[duplicate.seq])
    received = _file(
        users,
        "ngo-admin@demo.test",
        {
            "kind": "notice",
            "category": "other",
            "severity": "low",
            "explanation": f"{MARK} Just filed; routing picks it up within a minute.",
            "targets": [{"url": "https://example.org/demo_forum_user"}],
            "good_faith_confirmed": True,
        },
    )
    _templates(users["lead@demo.test"])
    from referrals.surfacing import demo as surfacing_demo

    surfaced = surfacing_demo.seed(context)["referrals"]
    from referrals.redress import demo as redress_demo

    redress_demo.seed(context)  # after the decisions above, which it appeals
    return {"referrals": [*created.values(), *(r for r in (duplicate, received) if r), *surfaced]}


# The workbench's templates a reviewer finds in the decision and question forms (SPEC §15).
TEMPLATES = [
    {
        "name": "Recruitment for a proscribed group",
        "kinds": ["notice", "le_referral"],
        "action": "account_suspended",
        "ground": "terms",
        "policy": "Violent extremist organisations policy 2.1",
        "statement_of_reasons": "The account {account} on {platform} recruits for a proscribed organisation "
        "and links to its channels, which {policy} prohibits. Referral {reference}.",
    },
    {
        "name": "Propaganda post removed",
        "kinds": [],
        "action": "content_removed",
        "ground": "terms",
        "policy": "Violent extremist organisations policy 3.4",
        "statement_of_reasons": "The content posted by {account} glorifies a terrorist attack and shares the "
        "group's propaganda, which {policy} prohibits.",
    },
    {
        "name": "Ask for the original link",
        "kinds": [],
        "action": "",
        "statement_of_reasons": "Could you send the address of the original post by {account}, or a "
        "screenshot showing its date? We could not find it on {platform}.",
    },
]


def _templates(lead) -> None:
    from referrals.models import DecisionTemplate
    from referrals.review.services.templates import template_create

    for fields in TEMPLATES:
        if not DecisionTemplate.objects.filter(name=fields["name"]).exists():
            template_create(by=lead, **fields)
