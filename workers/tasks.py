"""Celery tasks: thin wrappers that load by id, call the domain, save, report status, commit."""
