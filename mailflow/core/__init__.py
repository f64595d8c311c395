"""The pure core: parse, classify, extract, decide, render; no I/O, no clock."""
