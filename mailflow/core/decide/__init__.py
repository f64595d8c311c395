"""Deciding: meaning and state into decisions, first come first served (places and quotas,
profile rules, members' messages, ideas, questions, staff plans and answers)."""
