"""Ember's private implementation; the public modules re-export from here."""
