"""The application: what the daemon and the commands do with the core and the adapters."""
