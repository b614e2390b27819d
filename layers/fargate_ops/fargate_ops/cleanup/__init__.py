"""Cleanup of orphaned resources: plan with the pure domain, then apply only when asked."""
