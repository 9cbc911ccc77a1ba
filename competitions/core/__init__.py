"""Shared plumbing: the database, extensions, audit log, background-job status and i18n."""
