"""What the tests share, each part in the module named for it.

- `project`: the project's own files (root, samples, shipped configuration, scripts);
- `messages`: messages built as the core's values and as the emails members and staff write;
- `runs`: mailflow run as people run it, and what it sent and printed read back;
- `worlds`: the states and stories tests start from.

Test modules import helpers from here, never from each other; fixtures live in conftest.py.
"""
