"""Writing: decisions into words and messages (templates, render, calendar, digest, newsletter,
staff links, plans told in French, records for staff and the RGPD)."""
