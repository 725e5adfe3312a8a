"""Synthetic demo data: a deterministic generator that later apps extend with their own steps."""
