"""The web layer: every page, URL, form and the JSON, above the domain apps (README, "Layout")."""
