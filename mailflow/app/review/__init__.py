"""Replies held for staff to read before they go (« relecture »): held when decided, answered by
the reviewers, reminded, listed, measured, and review stopped once staff trust it."""
