"""Seclusion and long-term segregation: episodes, their Code of Practice reviews and the LTS register."""
