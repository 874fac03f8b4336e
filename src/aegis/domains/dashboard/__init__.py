"""The posture at a glance: risk, task, evidence, compliance and activity figures."""
