"""Redress's demo (SPEC §16), run after the main referrals demo (it needs its users, and the
demo reviewer in every queue): each state of an appeal is there to look at.

- the whole story, for ngo@demo.test: a notice decided "no violation" by the lead, appealed,
  reversed by the reviewer, and decided again (the content removed);
- an open appeal by ngo-admin@demo.test against a suspension, for the reviewer to decide
  (the lead took the decision, so the lead may not);
- an open complaint from an account holder, recorded by the reviewer against a suspension;
- a suspension with an end date, so an account's page says until when it is restricted.

Everything goes through the services people use, and is idempotent.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from referrals.intake.services.filing import referral_submit
from referrals.models import Referral

MARK = "[demo]"
STORY = ("ngo@demo.test", "Page shares a satirical cartoon about a proscribed group's leader.", "demo_satire_page")
OPEN_APPEAL = ("ngo-admin@demo.test", "Archive account reposting a group's videos without comment.", "demo_archive")
COMPLAINT = ("ngo2@demo.test", "Account praising an attacker in a pinned post.", "demo_pinned_praise")
TEMPORARY = ("ngo2@demo.test", "Account posting threats against a journalist after an attack.", "demo_temp_threats")

NO_ACTION = ("no_action", "terms", "Violent extremist organisations policy, satire and commentary")
SUSPENSION = ("account_suspended", "terms", "Violent extremist organisations policy, support for an attacker")
REMOVAL = ("content_removed", "terms", "Violent extremist organisations policy, glorification")


def _file(users, email: str, explanation: str, account: str) -> Referral | None:
    from referrals.review.services.routing import referral_route_batch

    user = users[email]
    text = f"{MARK} {explanation}"
    if Referral.objects.filter(submitted_by=user, explanation=text).exists():
        return None
    referral = referral_submit(
        user=user,
        data={
            "kind": "notice",
            "category": "glorification",
            "severity": "medium",
            "explanation": text,
            "targets": [{"platform": "x", "account": account}],
            "language": "en",
            "good_faith_confirmed": True,
        },
    )
    referral_route_batch(seqs=[referral.seq])
    return Referral.objects.get(pk=referral.pk)


def _decide(referral: Referral, by, outcome: tuple[str, str, str], **extra) -> Referral:
    from referrals.review.services import claims, decisions

    action, ground, policy = outcome
    referral = claims.referral_claim(by=by, referral=referral)
    decisions.referral_decide(
        by=by,
        referral=referral,
        action=action,
        ground=ground,
        policy=policy,
        statement_of_reasons=f"{MARK} Reviewed against {policy}; the outcome is recorded as {action}.",
        apply_to_subject=False,
        **extra,
    )
    return Referral.objects.get(pk=referral.pk)


def seed(context: dict) -> dict:
    """The appeals, complaint and temporary suspension described in the module's docstring."""
    from referrals.redress.services import appeal_decide, appeal_file, complaint_record

    users = context["users"]
    lead, reviewer = users["lead@demo.test"], users["reviewer@demo.test"]
    made = []

    story = _file(users, *STORY)
    if story is not None:
        story = _decide(story, lead, NO_ACTION)
        appeal = appeal_file(
            by=users[STORY[0]],
            referral=story,
            reason="The cartoon mocks the group's leader; it is satire against the group, not support for it.",
        )
        appeal_decide(
            by=reviewer,
            appeal=appeal,
            outcome="reversed",
            statement="Read again with the appeal: the cartoon is satire, but the caption repeats the group's "
            "call to violence word for word, which the policy does not allow even as a quotation.",
        )
        made.append(_decide(Referral.objects.get(pk=story.pk), reviewer, REMOVAL))

    suspended = _file(users, *OPEN_APPEAL)
    if suspended is not None:
        suspended = _decide(suspended, lead, SUSPENSION)
        appeal_file(
            by=users[OPEN_APPEAL[0]],
            referral=suspended,
            reason="The account archives the group's videos for researchers and says so in its profile; "
            "it never endorses them.",
        )
        made.append(suspended)

    complained = _file(users, *COMPLAINT)
    if complained is not None:
        complained = _decide(complained, lead, SUSPENSION)
        complaint_record(
            by=reviewer,
            referral=complained,
            reason="The account holder wrote to support: the pinned post quotes the attacker in order to "
            "condemn him, and the account has no other post about the attack.",
        )
        made.append(complained)

    temporary = _file(users, *TEMPORARY)
    if temporary is not None:
        end = timezone.localdate() + timedelta(days=30)
        made.append(_decide(temporary, lead, SUSPENSION, restriction_end=end))

    return {"referrals": [*context.get("referrals", []), *made]}
