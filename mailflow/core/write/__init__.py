"""Writing: decisions into words (templates, render, calendar, digest, newsletter, staff links,
records for staff)."""
