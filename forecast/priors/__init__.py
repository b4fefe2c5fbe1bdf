"""Pooled-prior mathematics: cross-sections of short series, panel changes, fitted priors (no file access)."""
