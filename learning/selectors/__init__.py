"""Reads of learning data that depend on who is asking."""
