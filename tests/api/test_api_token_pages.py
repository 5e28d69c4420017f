"""Making and revoking tokens: on the person's own page and with the command line."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import select

from engine.models import ApiToken
from engine.services.tokens import secret_hash
from tests.api.conftest import log_in, post
from tests.databases import fresh_database, migrate
from web.cli import main


def test_a_person_makes_a_token_on_their_page_and_sees_it_once(client, session, world):
    log_in(client, session, world.people["sec"])
    response = post(client, "/me/tokens", {"name": "Arkivsystemet", "scope": "write"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    secret = re.search(r'value="(prt_[^"]+)"', page)[1]
    row = session.scalars(select(ApiToken)).one()
    assert (row.person_id, row.scope, row.token_hash) == (
        world.people["sec"].id,
        "write",
        secret_hash(secret),
    )
    again = client.get("/me/tokens").get_data(as_text=True)
    assert "Arkivsystemet" in again and secret not in again
    used = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert used.get_json()["login"] == "testby-sec"


def test_a_bad_expiry_re_renders_the_form_with_what_was_typed(client, session, world):
    log_in(client, session, world.people["kmember"])
    response = post(client, "/me/tokens", {"name": "Dashbord", "expires": "2020-01-01"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="Dashbord"' in page and 'id="expires-error"' in page
    assert session.scalars(select(ApiToken)).all() == []


def test_a_person_revokes_their_token_and_it_stops_working(client, session, world):
    log_in(client, session, world.people["sec"])
    page = post(client, "/me/tokens", {"name": "Kortvarig"}).get_data(as_text=True)
    secret = re.search(r'value="(prt_[^"]+)"', page)[1]
    token_id = session.scalars(select(ApiToken.id)).one()
    assert post(client, f"/me/tokens/{token_id}/revoke").status_code == 302
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert "trukket tilbake" in client.get("/me/tokens").get_data(as_text=True)


def test_nobody_revokes_another_person_s_token(client, session, world, token):
    token("leader")
    token_id = session.scalars(select(ApiToken.id)).one()
    log_in(client, session, world.people["sec"])
    assert post(client, f"/me/tokens/{token_id}/revoke").status_code == 404
    assert session.scalars(select(ApiToken.revoked_at)).one() is None


def test_the_token_page_needs_a_login(client):
    response = client.get("/me/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_command_line_makes_lists_and_revokes_tokens(db_kind, tmp_path):
    runner = CliRunner()
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        env = {"DATABASE_URL": url}

        def run(*args, code=0):
            result = runner.invoke(main, list(args), env=env)
            assert result.exit_code == code, result.output
            return result

        run("users", "create", "kari", "--name", "Kari", "--password", "langt-passord-1")
        made = run("tokens", "create", "--for", "kari", "--scope", "write", "--expires", "30d")
        secret = made.stdout.strip().splitlines()[0]
        assert secret.startswith("prt_")
        listed = run("tokens", "list", "--for", "kari").stdout
        assert "\twrite\tlive\t" in listed and secret not in listed
        run("tokens", "revoke", "1")
        assert "\trevoked\t" in run("tokens", "list", "--for", "kari").stdout
        assert "no person" in run("tokens", "create", "--for", "nobody", code=1).output
        assert (
            "expires_at"
            in run("tokens", "create", "--for", "kari", "--expires", "999d", code=1).output
        )
