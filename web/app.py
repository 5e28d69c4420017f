"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify
from sqlalchemy import text

from engine.config import database_url
from engine.db import make_engine


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``POLITIRAD_*`` environment, then ``test_config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(SECRET_KEY="dev", DATABASE_URL=None)
    app.config.from_prefixed_env("POLITIRAD")
    if test_config:
        app.config.update(test_config)
    url = app.config["DATABASE_URL"] or database_url()
    engine = make_engine(url)
    app.extensions["politirad.engine"] = engine

    @app.get("/health")
    def health():
        """Liveness and database reachability, for the proxy and the load test."""
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return jsonify(status="ok", database=engine.dialect.name)

    @app.get("/")
    def index():
        return (
            "<!doctype html><html lang='nb'><head><meta charset='utf-8'><title>politirad</title>"
            "</head><body><main><h1>politirad</h1><p>Saksbehandling for politirådet.</p>"
            "<p><a href='/health'>Status</a></p></main></body></html>"
        )

    return app
