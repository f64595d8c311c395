"""Sub-commands kept out of cli.py, each registering itself on the top-level parser."""
