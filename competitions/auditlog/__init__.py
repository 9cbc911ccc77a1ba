"""The contest audit log as organisers read and export it."""
