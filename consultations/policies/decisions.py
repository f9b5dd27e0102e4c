"""Filled in by issue 12's policy work (see consultations/policies/actions.py)."""
