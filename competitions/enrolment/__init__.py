"""Enrolment up the tiers: a unit's liaison or a delegation's team leader registers their own
people in a registration window, within quotas, with proof; the organiser reviews the list."""
