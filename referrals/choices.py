"""The referral enums (SPEC §3, §4.6): their values are the API contract, their labels what
people read (translated). Re-exported by referrals.models, where everything else imports them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    LE_REFERRAL = "le_referral", _("Law-enforcement referral")
    REMOVAL_ORDER = "removal_order", _("Removal order")
    PRESERVATION_REQUEST = "preservation_request", _("Preservation request")
    EMERGENCY_REQUEST = "emergency_request", _("Emergency disclosure request")
    SIGNAL = "signal", _("Signal")


class Category(models.TextChoices):
    TERRORIST_INCITEMENT = "terrorist_incitement", _("Terrorist incitement")
    TERRORIST_RECRUITMENT = "terrorist_recruitment", _("Terrorist recruitment")
    TERRORIST_INSTRUCTION = "terrorist_instruction", _("Terrorist instruction")
    TERRORIST_THREAT = "terrorist_threat", _("Terrorist threat")
    GLORIFICATION = "glorification", _("Glorification of terrorism")
    PROPAGANDA = "propaganda", _("Propaganda of a terrorist organisation")
    VIOLENT_THREAT = "violent_threat", _("Violent threat")
    HATEFUL_CONDUCT = "hateful_conduct", _("Hateful conduct")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    IMMINENT = "imminent", _("Imminent threat")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ROUTED = "routed", _("Routed")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("Needs information")
    ACTIONED = "actioned", _("Actioned")
    NO_VIOLATION = "no_violation", _("No violation")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Action(models.TextChoices):
    ACCOUNT_SUSPENDED = "account_suspended", _("Account suspended")
    CONTENT_REMOVED = "content_removed", _("Content removed")
    CONTENT_RESTRICTED = "content_restricted", _("Content restricted")
    LABEL_APPLIED = "label_applied", _("Label applied")
    DATA_PRESERVED = "data_preserved", _("Data preserved")
    DATA_DISCLOSED = "data_disclosed", _("Data disclosed")
    NO_ACTION = "no_action", _("No action")
    UNABLE_TO_COMPLY = "unable_to_comply", _("Unable to comply")


class Ground(models.TextChoices):
    LEGAL = "legal", _("Illegal content (law)")
    TERMS = "terms", _("Incompatible with the terms of service")


class Detector(models.TextChoices):
    """What raised a `signal` (SPEC §14): one of the surfacing detectors, or a person."""

    LOOKALIKE = "lookalike", _("Look-alike of a suspended account")
    NEAR_DUPLICATE = "near_duplicate", _("Near-duplicate media")
    NETWORK = "network", _("Co-referral network")
    MANUAL = "manual", _("Raised by a reviewer")


class RequestedData(models.TextChoices):
    """What an emergency request asks to be disclosed (SPEC §17)."""

    SUBSCRIBER_INFO = "subscriber_info", _("Subscriber information")
    IP_LOGS = "ip_logs", _("IP address logs")
    CONTENT = "content", _("Content")
    LOCATION = "location", _("Location")


class HoldBasis(models.TextChoices):
    """Why a subject's data is held: a preservation request, or content removed under a removal
    order, which the TCO Regulation (Art. 6) keeps for six months."""

    PRESERVATION = "preservation", _("Preservation request")
    REMOVAL_ORDER = "removal_order", _("Removal order (TCO Art. 6)")


class MessageSide(models.TextChoices):
    SUBMITTER = "submitter", _("Submitter")
    PLATFORM = "platform", _("Platform reviewer")


class IncidentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class IncidentLevel(models.IntegerChoices):
    """How grave an incident is (SPEC §18), after GIFCT's Incident Response Framework: level 1
    is the gravest, and its referrals get the most priority points."""

    ONE = 1, _("Level 1: a live or imminent attack with content spreading")
    TWO = 2, _("Level 2: an attack with content spreading on several services")
    THREE = 3, _("Level 3: content of an attack to watch for")


class HashType(models.TextChoices):
    SHA256 = "sha256", "SHA-256"
    PDQ = "pdq", "PDQ"
