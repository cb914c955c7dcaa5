"""What the live incident page's bulletins and hash-list sections show (SPEC §18):
`{% bulletins_panel incident bulletins as panel %}` and `{% hash_list_panel incident as panel %}`.

The incident page belongs to the incidents views; these sections bring their own context
(who may post or import), so that page includes them without knowing their rules.
"""

from django import template

from referrals.crisis.permissions import can_declare_incidents, can_see_incidents_in_full
from referrals.crisis.services.bulletins import BODY_MAX, BODY_MIN
from referrals.crisis.services.hashes import MAX_ROWS

register = template.Library()


@register.simple_tag(takes_context=True)
def bulletins_panel(context, incident, bulletins=None) -> dict:
    """The incident's bulletins, newest first (`bulletins` when the page has read them already),
    and whether this person may post one: policy staff and queue leads, while it is active."""
    user = context["request"].user
    if not isinstance(bulletins, list | tuple):
        bulletins = list(incident.bulletins.all())
    return {
        "bulletins": bulletins,
        "full": can_see_incidents_in_full(user),
        "can_post": incident.is_active and can_declare_incidents(user),
        "body_min": BODY_MIN,
        "body_max": BODY_MAX,
    }


@register.simple_tag(takes_context=True)
def hash_list_panel(context, incident) -> dict:
    """Platform roles download the list; policy staff and queue leads import another's. One
    query: how many hashes other platforms' lists brought."""
    user = context["request"].user
    if not can_see_incidents_in_full(user):
        return {"show": False}
    return {
        "show": True,
        "can_import": can_declare_incidents(user),
        "imported": incident.shared_hashes.count(),
        "max_rows": MAX_ROWS,
    }
