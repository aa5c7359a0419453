"""Switchboard: production LLM patterns, one switch at a time."""
