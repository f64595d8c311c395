"""The core, in parts importing in one direction: `french` (the words), `read` (a message's bytes
into what it says and means), `decide` (meaning and state into a decision), `write` (a decision into
words and messages). No clock, no network, nothing written; it reads only what ships with it (the
templates, the communes' table)."""
