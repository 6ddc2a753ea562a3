"""Organisations as Mesa Agents: associations, businesses, the administration, initiatives."""
