"""State changes of referrals, one module per sub-domain (intake, evidence, bulk, notify, …)."""
