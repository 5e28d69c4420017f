"""The web app and command-line fixtures (``app``, ``client``, ``database``, ``cli``) for the
records pages' and commands' tests."""

from tests.web.conftest import app, cli, client, database  # noqa: F401
