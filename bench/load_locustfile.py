"""The users of ``python -m bench.load`` (locust). Not run on its own: ``bench.load``
starts locust with this file, the server's address and a JSON file of tokens and cases.

``LOAD_PHASE=ceiling`` only asks the trivial health endpoint; ``LOAD_PHASE=mix`` runs the
public (the meeting calendar), members reading cases, and the secretariat opening cases
and firing transitions on them; the ceiling's users ask without pausing.

Every user of the mix is a program, not a person at a screen: a calendar service syncing
the public feed, a member's system reading cases through the API with the member's token,
the secretariat's system opening and moving agenda items. Such a client pauses briefly
between tasks, 0.1–0.5 s (``LOAD_THINK``, as bench.load sets it), so 100 of them ask at most ~330
tasks a second (the secretariat's task is three requests) however fast the server is:
``bench.load`` prints that bound beside what was served.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, between, constant, task

PHASE = os.environ.get("LOAD_PHASE", "mix")
THINK = between(*(float(s) for s in os.environ.get("LOAD_THINK", "0.1,0.5").split(",")))
"""A client program's pause between tasks; the ceiling's users never pause."""
SETUP = json.loads(Path(os.environ["LOAD_SETUP"]).read_text()) if "LOAD_SETUP" in os.environ else {}
COUNCIL = SETUP.get("council", "oslo")
API = f"/api/v1/councils/{COUNCIL}"
_names = itertools.count(1)


class HealthUser(FastHttpUser):
    """The ceiling: what the same server answers when the request does next to nothing."""

    abstract = PHASE != "ceiling"
    wait_time = constant(0)

    @task
    def health(self):
        self.client.get("/health")


class Public(FastHttpUser):
    """A calendar program fetching the council's public meeting feed, without a token."""

    abstract = PHASE == "ceiling"
    wait_time = THINK
    weight = 4

    @task
    def calendar(self):
        self.client.get(SETUP["calendar"], name="public calendar")


class Member(FastHttpUser):
    """A council member's system reading cases with the member's read token."""

    abstract = PHASE == "ceiling"
    wait_time = THINK
    weight = 5

    def on_start(self):
        token = random.choice(SETUP["member_tokens"])
        self.auth = {"Authorization": f"Bearer {token}"}

    @task(3)
    def list_cases(self):
        query = random.choice(["", "?state=proposed", "?area=1", "?q=trygghet", "?page=2"])
        self.client.get(f"{API}/cases{query}", name="cases list", headers=self.auth)

    @task(4)
    def read_case(self):
        number = random.choice(SETUP["cases"])
        self.client.get(f"{API}/cases/{number}", name="case", headers=self.auth)

    @task(2)
    def transitions(self):
        number = random.choice(SETUP["cases"])
        self.client.get(
            f"{API}/cases/{number}/transitions",
            name="case transitions",
            headers=self.auth,
        )

    @task(1)
    def history(self):
        number = random.choice(SETUP["cases"])
        self.client.get(f"{API}/cases/{number}/history", name="case history", headers=self.auth)


class Secretariat(FastHttpUser):
    """The secretariat's system: opens an agenda item, proposes it, withdraws it."""

    abstract = PHASE == "ceiling"
    wait_time = THINK
    weight = 1

    def on_start(self):
        self.auth = {"Authorization": f"Bearer {SETUP['secretariat_token']}"}

    @task
    def open_propose_withdraw(self):
        opened = self.client.post(
            f"{API}/cases",
            json={
                "kind": "agenda_item",
                "title": f"Lasttest {os.getpid()}-{next(_names)}",
                "priority_areas": [1],
            },
            headers=self.auth,
            name="open case",
        )
        if opened.status_code != 201:
            return
        case = opened.json()["number"]
        etag = opened.headers["ETag"]
        proposed = self.client.post(
            f"{API}/cases/{case}/transitions/propose",
            json={},
            headers={**self.auth, "If-Match": etag},
            name="fire transition",
        )
        if proposed.status_code != 200:
            return
        self.client.post(
            f"{API}/cases/{case}/transitions/withdraw",
            json={"comment": "Lasttest"},
            headers={**self.auth, "If-Match": proposed.headers["ETag"]},
            name="fire transition",
        )
