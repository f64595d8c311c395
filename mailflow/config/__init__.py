"""The configuration: TOML files into typed, validated settings (see `settings`)."""

from .settings import DEFAULT_CONFIG, Settings, load, main_file

__all__ = ["DEFAULT_CONFIG", "Settings", "load", "main_file"]
