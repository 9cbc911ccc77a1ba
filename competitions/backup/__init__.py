"""Backups of the database and the stored files, and their restore."""
