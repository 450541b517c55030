"""chibo — the web system for grassroots party-building work."""
