"""Measuring extraction quality against gold: scoring, baselines, the eval runner."""
