"""Plain values every layer shares: frozen dataclasses and enums, the network and its people."""
