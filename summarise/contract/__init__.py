"""The output contract: the models the model fills, their checks, grounding, and the one output record.

Imports nothing above it (enforced by import-linter).
"""
