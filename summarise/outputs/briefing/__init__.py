"""Briefings: many summaries reconciled into a ledger, a timeline and boards, rebuilt on a schedule."""
