"""Loaded by pytest before Django: development defaults so a bare `pytest` runs (tests force DEBUG off)."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("AXES_ENABLED", "1")
