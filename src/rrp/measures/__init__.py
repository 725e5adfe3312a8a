"""Measures: reviewed definitions of what RRP counts, national statistics to compare with, and suppression."""
