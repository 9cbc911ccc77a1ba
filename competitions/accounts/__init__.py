"""Accounts: users, hashed passwords, log-in, and the per-contest roles that grant permissions."""
