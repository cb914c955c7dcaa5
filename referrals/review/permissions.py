"""Who may work the enforcement queues (SPEC §2, §4.6): named predicates for pages and the API.

Seeing a referral is the selectors' business (404 outside scope); these say whether someone
who can see it may act on it (403 otherwise).
"""

from django.http import Http404

from partners.models import Role
from portal.accounts.roles import is_platform, is_queue_lead, role_of


def can_see_queues(user) -> bool:
    """Platform roles see queues, work lists and subjects; partners never do."""
    return is_platform(user)


def require_queue_access(user) -> None:
    """For pages and endpoints that exist only for platform roles: anyone else gets 404."""
    if not can_see_queues(user):
        raise Http404


# Queues that exist for queue leads only (SPEC §15): reviewers neither see nor work them.
ESCALATIONS_QUEUE = "escalations"
LEADS_ONLY_QUEUES = frozenset({ESCALATIONS_QUEUE})


def can_see_queue(user, queue) -> bool:
    """Platform roles see every queue but the leads' own (escalations), which only leads see."""
    if not can_see_queues(user):
        return False
    return queue.slug not in LEADS_ONLY_QUEUES or is_queue_lead(user)


def can_work_queue(user, queue) -> bool:
    """Leads work every queue; a reviewer only the queues it is a member of, never the leads' own."""
    if is_queue_lead(user):
        return True
    if role_of(user) != Role.REVIEWER or queue is None or queue.slug in LEADS_ONLY_QUEUES:
        return False
    return queue.members.filter(pk=user.pk).exists()


def can_act_on(user, referral) -> bool:
    """Release, request information and decide: the assignee (still a reviewer) or a lead."""
    if is_queue_lead(user):
        return True
    return role_of(user) == Role.REVIEWER and referral.assignee_id == user.pk


def can_escalate(user, referral) -> bool:
    """Hand a hard case to the queue leads (SPEC §15): only the reviewer (or lead) it is assigned to."""
    return role_of(user) in (Role.REVIEWER, Role.QUEUE_LEAD) and referral.assignee_id == user.pk


def can_keep_notes(user) -> bool:
    """Team notes are read and written by every platform role, and exist for nobody else."""
    return is_platform(user)


def can_claim(user, referral) -> bool:
    return can_work_queue(user, referral.queue)


def can_reassign(user) -> bool:
    return is_queue_lead(user)


def can_manage_routing(user) -> bool:
    """Queues (SLA, members) and routing rules are edited by queue leads."""
    return is_queue_lead(user)


def can_assign_to(user) -> bool:
    """Whether `user` can be given referrals to review."""
    return bool(user.is_active) and role_of(user) in (Role.REVIEWER, Role.QUEUE_LEAD)


def can_manage_templates(user) -> bool:
    """Decision and request-for-information templates are written by queue leads (SPEC §15);
    every platform role reads them."""
    return is_queue_lead(user)


def can_decide_in_bulk(user) -> bool:
    """Leads decide any open referral in bulk; a reviewer only those assigned to it (SPEC §15)."""
    return role_of(user) in (Role.REVIEWER, Role.QUEUE_LEAD)


def can_see_statement_errors(user) -> bool:
    """The statements of reasons the Transparency Database refused, and sending one again,
    are for queue leads (SPEC §22)."""
    return is_queue_lead(user)


def can_reveal_evidence(user) -> bool:
    """Blurred image evidence is uncovered one image at a time by platform staff (SPEC §15);
    partners see their own files as they uploaded them."""
    return is_platform(user) and bool(user.is_active)


def can_see_exposure(user) -> bool:
    """Every reviewer's exposure counts are for the queue leads (SPEC §15)."""
    return is_queue_lead(user)


def can_see_insights(user) -> bool:
    """The queues' and reviewers' figures (SPEC §15) are for queue leads."""
    return is_queue_lead(user)
