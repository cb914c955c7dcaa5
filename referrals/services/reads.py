"""The audit entry of a read that returns law-enforcement requests (SPEC §5: every view of
one by anyone is audited, lists included).

One entry per read, naming the requests it returned and the filters that chose them, so a
list, work list, dashboard or export of 200 requests costs one INSERT, and a read that
returned none costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from portal.audit import audit
from referrals.models import LAW_ENFORCEMENT_KINDS, Referral

ACTION = "referral.list_view"


def law_enforcement_in(referrals: Iterable[Referral]) -> list[Referral]:
    return [r for r in referrals if r.kind in LAW_ENFORCEMENT_KINDS]


def referrals_read_audit(
    *,
    user,
    referrals: Iterable[Referral],
    view: str,
    filters: Mapping | None = None,
    request=None,
    action: str = ACTION,
    **data,
):
    """Audit that `user` read the law-enforcement requests among `referrals` through `view`
    (a short name: "api.referrals", "worklist", "home", …) with `filters`; None when there were
    none. The organisation is the agency's when they are all one agency's."""
    requests = law_enforcement_in(referrals)
    if not requests:
        return None
    organisations = {r.organisation_id for r in requests}
    return audit(
        action,
        actor=user,
        organisation=requests[0].organisation if len(organisations) == 1 else None,
        request=request,
        view=view,
        references=[r.reference for r in requests],
        ids=[str(r.id) for r in requests],
        filters=clean_filters(filters),
        count=len(requests),
        **data,
    )


def clean_filters(filters: Mapping | None) -> dict[str, str]:
    """The filters as given, empty ones left out, values as text (dates, choices, ids)."""
    return {str(k): str(v) for k, v in (filters or {}).items() if v not in (None, "", [], ())}
