"""Raising a `network` signal for a hub (SPEC §14): a queue lead puts an account that links many
others in front of reviewers, from the hubs page or its network page.

The signal is filed by `signals_raise` like every detector's (routed to `surfaced`, audited,
one open signal per account), with the hub's figures as its reason. It is reversible: a
reviewer may decide it `no_action`, so the lead is not asked to confirm.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.errors import DomainError, NotAllowed, TransitionError
from referrals.models import Detector, Referral, Subject
from referrals.surfacing.permissions import can_raise_network_signals
from referrals.surfacing.selectors import HUB_DAYS_DEFAULT, Hub, hub_figures, open_signals
from referrals.surfacing.services.signals import NewSignal, signals_raise


def hub_reason(hub: Hub, days: int) -> str:
    """The signal's reason for reviewers: what links the hub, and to how many suspended accounts.
    Written in English, like the reasons of the detectors that run as tasks, so every reader of
    the signal reads the same sentence."""
    with translation.override("en"):
        period = ngettext("in the last %(count)s day", "in the last %(count)s days", days) % {"count": days}
        linked = ngettext(
            "Hub: linked to %(accounts)s account by %(weight)s co-referrals %(period)s",
            "Hub: linked to %(accounts)s accounts by %(weight)s co-referrals %(period)s",
            hub.accounts,
        ) % {"accounts": hub.accounts, "weight": hub.weight, "period": period}
        suspended = ngettext(
            "%(count)s suspended account is linked to it.",
            "%(count)s suspended accounts are linked to it.",
            hub.suspended_neighbours,
        ) % {"count": hub.suspended_neighbours}
    return f"{linked}; {suspended}"


@transaction.atomic
def network_signal_raise(
    *, by, subject: Subject, days: int = HUB_DAYS_DEFAULT, now: datetime | None = None
) -> Referral:
    """File a `signal` (detector `network`) for the hub `subject`, with its figures over the
    last `days` days as the reason. Queue leads only (NotAllowed otherwise); an account that
    is suspended, already has an open signal, or was named with no other account in the
    window is refused (TransitionError, DomainError) and nothing is filed."""
    if not can_raise_network_signals(by):
        raise NotAllowed(_("Only queue leads raise a signal for a hub."))
    if subject.suspended_at is not None:
        raise TransitionError(_("This account is already suspended: there is nothing to raise."))
    existing = open_signals(by, [subject.pk]).get(subject.pk)
    if existing is not None:
        raise TransitionError(
            _("This account already has an open signal, %(reference)s.") % {"reference": existing.reference}
        )
    hub = hub_figures(by, subject, days=days, now=now)
    if not hub.weight:
        raise DomainError(
            ngettext(
                "No referral of the last %(days)s day named this account with another: it is not a hub.",
                "No referral of the last %(days)s days named this account with another: it is not a hub.",
                days,
            )
            % {"days": days}
        )
    signal = NewSignal(
        platform=subject.platform, account=subject.account, detector=Detector.NETWORK, reasons=[hub_reason(hub, days)]
    )
    raised = signals_raise(by=by, signals=[signal], now=now)
    if not raised:
        # Suspended or signalled in the meantime, by a decision or another detector.
        raise TransitionError(_("This account was suspended or given a signal meanwhile: nothing was raised."))
    return raised[0]
