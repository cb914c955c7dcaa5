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


def can_work_queue(user, queue) -> bool:
    """Leads work every queue; a reviewer only the queues it is a member of."""
    if is_queue_lead(user):
        return True
    if role_of(user) != Role.REVIEWER or queue is None:
        return False
    return queue.members.filter(pk=user.pk).exists()


def can_act_on(user, referral) -> bool:
    """Release, request information and decide: the assignee (still a reviewer) or a lead."""
    if is_queue_lead(user):
        return True
    return role_of(user) == Role.REVIEWER and referral.assignee_id == user.pk


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


def can_see_statement_errors(user) -> bool:
    """The statements of reasons the Transparency Database refused, and sending one again,
    are for queue leads (SPEC §22)."""
    return is_queue_lead(user)
