"""Surfacing's demo (SPEC §14), run at the end of `referrals.demo.seed`: each detector's work is
there when a new user signs in.

- look-alike: x · demo_recruiter is suspended by the main demo; the platform's systems then
  report "demo.recruiter_2", which the look-alike detector raises into `surfaced`;
- near-duplicate: a propaganda poster removed from one notice comes back re-cut and brighter
  in another organisation's notice, which reviewers see flagged with its distance;
- network: a hub account named with three amplifiers by several organisations, one of its
  neighbours already suspended (see /subjects/hubs/).

Everything is filed through the services users go through, and is idempotent.
"""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from referrals.intake.services.evidence import evidence_inspect_all
from referrals.intake.services.filing import referral_submit
from referrals.models import Referral

MARK = "[demo]"


def _notice(explanation: str, accounts: list[str], **extra) -> dict:
    return {
        "kind": "notice",
        "category": extra.pop("category", "propaganda"),
        "severity": extra.pop("severity", "medium"),
        "explanation": f"{MARK} {explanation}",
        "targets": [{"platform": "x", "account": a} for a in accounts],
        "good_faith_confirmed": True,
        **extra,
    }


# The hub and its amplifiers: each notice names the hub with some of them.
HUB = "demo_hub_voice"
NETWORK = [
    (
        "ngo@demo.test",
        "Hub account and its amplifiers repost the same recruitment clips within minutes.",
        ["demo_amp_one", "demo_amp_two"],
    ),
    (
        "ngo2@demo.test",
        "The same clips, pushed by the hub and two accounts that only ever repost it.",
        ["demo_amp_two", "demo_amp_three"],
    ),
    (
        "ngo-fr@demo.test",
        "Coordinated reposting of a proscribed group's videos by a small set of accounts.",
        ["demo_amp_one", "demo_amp_three"],
    ),
    (
        "ngo-ar@demo.test",
        "The hub's new account is promoted by an amplifier that was already suspended.",
        ["demo_amp_banned"],
    ),
]
BANNED = ("ngo2@demo.test", "Amplifier account reposting a proscribed group's recruitment videos.", ["demo_amp_banned"])
POSTER = ("ngo@demo.test", "Poster of a proscribed group calling for attacks, with its logo and slogan.")
RECUT = ("ngo2@demo.test", "Re-uploaded poster of the proscribed group, cropped and brightened to evade detection.")
LOOKALIKES = [
    {"platform": "x", "account": "demo.recruiter_2", "display_name": "Demo Recruiter"},
    {"platform": "x", "account": "garden_friends", "display_name": "Garden friends"},
]


def poster(*, recut: bool = False) -> bytes:
    """A synthetic propaganda poster (bands and a disc over a gradient, softened like a photo);
    `recut` trims a few pixels off each edge, shrinks it, re-compresses and brightens it, as
    re-uploads do to evade exact hashes."""
    from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for i in range(0, 640, 80):
        draw.rectangle((i, 0, i + 39, 480), fill=(140, 20, 20))
    draw.ellipse((200, 100, 440, 340), fill=(230, 230, 230))
    draw.rectangle((80, 380, 560, 430), fill=(200, 170, 40))
    image = image.filter(ImageFilter.GaussianBlur(2))
    if recut:
        image = image.crop((4, 4, 636, 476))
        image = image.resize((image.width * 9 // 10, image.height * 9 // 10))
        image = ImageEnhance.Brightness(image).enhance(1.1)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _file(users, email, data, *, image: bytes | None = None) -> Referral | None:
    user = users[email]
    if Referral.objects.filter(submitted_by=user, explanation=data["explanation"]).exists():
        return None
    evidence = None
    if image is not None:
        evidence = evidence_inspect_all([SimpleUploadedFile("poster.jpg", image, content_type="image/jpeg")])
    return referral_submit(user=user, data=data, evidence=evidence)


def _decide(referral: Referral, lead, action: str) -> None:
    from referrals.review.services import claims, decisions

    referral = claims.referral_claim(by=lead, referral=Referral.objects.get(pk=referral.pk))
    decisions.referral_decide(
        by=lead,
        referral=referral,
        action=action,
        ground="terms",
        policy="Violent extremist organisations policy 3.4",
        statement_of_reasons=f"{MARK} Propaganda of a proscribed organisation; recorded as {action}.",
        apply_to_subject=False,
    )


def seed(context: dict) -> dict:
    from referrals.review.services.routing import referral_route_batch
    from referrals.surfacing.services.lookalike_job import lookalike_job_create, lookalike_job_run

    users = context["users"]
    lead, reviewer = users["lead@demo.test"], users["reviewer@demo.test"]
    filed = []

    banned = _file(users, BANNED[0], _notice(BANNED[1], BANNED[2], category="terrorist_recruitment"))
    if banned is not None:
        referral_route_batch(seqs=[banned.seq])
        _decide(banned, lead, "account_suspended")
    for email, explanation, amplifiers in NETWORK:
        referral = _file(users, email, _notice(explanation, [HUB, *amplifiers], category="terrorist_recruitment"))
        if referral is not None:
            filed.append(referral)

    first = _file(users, POSTER[0], _notice(POSTER[1], ["demo_poster_source"]), image=poster())
    if first is not None:
        referral_route_batch(seqs=[first.seq])
        _decide(first, lead, "content_removed")
    second = _file(users, RECUT[0], _notice(RECUT[1], ["demo_poster_reuploader"]), image=poster(recut=True))
    if second is not None:
        filed.append(second)
    if filed:
        referral_route_batch(seqs=[r.seq for r in filed])

    if not Referral.objects.filter(surfaced_subject__account="demo.recruiter_2").exists():
        job = lookalike_job_create(user=reviewer, accounts=LOOKALIKES)
        lookalike_job_run(job_id=job.id)
        raised = Referral.objects.filter(kind="signal", status="received").values_list("seq", flat=True)
        referral_route_batch(seqs=list(raised))
    return {"referrals": filed}
