"""Endpoint check: collect raw command output per OS, then evaluate it with pure rules (see rules.py)."""
