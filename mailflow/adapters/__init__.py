"""Thin adapters to the outside world: mailboxes and transports."""
