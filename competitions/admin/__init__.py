"""The administrators' pages (三权分立): accounts (system administrator) and duties (security
administrator); the audit administrator's pages are in ``auditlog``."""
