"""Replies held for staff to read before they go (« relecture »), from decision to trust."""
