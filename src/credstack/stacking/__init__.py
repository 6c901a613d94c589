"""Stacking: qualifications as requirement trees, validation and learner progress (pure: no I/O)."""
