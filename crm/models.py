"""Relay keeps no models of its own here: users are Django's, roles are groups (crm.roles)."""
