"""The queues and routing rules of SPEC §4.2. Frozen here; queue leads edit them in the UI."""

from django.db import migrations

QUEUES = [
    ("legal-orders", "Legal orders", 60, "Removal orders and emergency requests: the 60-minute legal clock."),
    ("preservation", "Preservation", 24 * 60, "Preservation requests from law enforcement."),
    ("urgent-threats", "Urgent threats", 60, "Anything reported as an imminent threat to life."),
    ("le-referrals", "Law-enforcement referrals", 12 * 60, "Referrals for voluntary review from agencies."),
    ("trusted-flaggers", "Trusted flaggers", 12 * 60, "Notices from trusted flaggers (DSA Art. 22)."),
    ("violent-extremism", "Violent extremism", 24 * 60, "Terrorist content, glorification and propaganda."),
    ("general", "General", 72 * 60, "Everything else (fallback)."),
]

RULES = [
    (1, "Legal orders", "legal-orders", {"kinds": ["removal_order", "emergency_request"]}),
    (2, "Preservation requests", "preservation", {"kinds": ["preservation_request"]}),
    (3, "Imminent threats", "urgent-threats", {"severities": ["imminent"]}),
    (4, "Law-enforcement referrals", "le-referrals", {"kinds": ["le_referral"]}),
    (5, "Trusted flaggers", "trusted-flaggers", {"trusted_flagger": True}),
    (
        6,
        "Violent extremism",
        "violent-extremism",
        {
            "categories": [
                "terrorist_incitement",
                "terrorist_recruitment",
                "terrorist_instruction",
                "terrorist_threat",
                "glorification",
                "propaganda",
            ]
        },
    ),
    (7, "Everything else", "general", {}),
]


def create(apps, schema_editor):
    Queue = apps.get_model("referrals", "Queue")
    RoutingRule = apps.get_model("referrals", "RoutingRule")
    queues = {}
    for slug, name, sla, description in QUEUES:
        queues[slug], _ = Queue.objects.get_or_create(
            slug=slug, defaults={"name": name, "sla_minutes": sla, "description": description}
        )
    if not RoutingRule.objects.exists():
        for order, name, queue, conditions in RULES:
            RoutingRule.objects.create(order=order, name=name, queue=queues[queue], **conditions)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
