"""The web app fixtures (``app``, ``client``) for the records pages' tests."""

from tests.web.conftest import app, client  # noqa: F401
