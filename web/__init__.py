"""The web layer: Flask app factory, pages, JSON API and the CLI."""
