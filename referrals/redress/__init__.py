"""Redress (SPEC §16): appeals by notifiers, complaints by account holders, and reversing a
decision on appeal (a restriction lifted at once, or the referral decided again)."""
