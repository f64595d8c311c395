"""Reading what staff write to the mailbox, as colleagues read each other: the action asked for,
its group or candidature, its figures and dates, or that nothing is asked."""
