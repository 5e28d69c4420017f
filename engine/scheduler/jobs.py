"""The scheduler's jobs, when they run, and one tick that runs them all as of a given time.

Every job reads the truth from the database, so running it late, twice or after
downtime is safe; APScheduler only decides when. Times are Europe/Oslo and no
job runs between 02:00 and 03:00, the hour that daylight saving skips in March
and repeats in October.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from engine.cadence import check_cadence, request_reports
from engine.calendar import OSLO
from engine.clock import resolve
from engine.db import dialect_insert, session_factory, utcnow
from engine.models import JobRun
from engine.notifications import deliver_outbox, send_digests
from engine.scheduler.deadline_tick import handle_due_deadlines
from engine.scheduler.reminders import send_reminders
from engine.services.accounts import send_requested_links

log = logging.getLogger(__name__)

EVERY_MINUTE_OUTSIDE_2AM = {"hour": "0-1,3-23", "minute": "*"}

Sessions = Callable[[], Session]


@dataclass(frozen=True)
class Job:
    """One job: what it does, what its count means, and when it runs (cron fields, Oslo time)."""

    name: str
    description: str
    run: Callable[..., Any]
    counts: str
    schedule: Mapping[str, str]

    def trigger(self) -> CronTrigger:
        return CronTrigger(timezone=OSLO, **self.schedule)


# In tick order: each job runs after the jobs whose results it reads, so that one tick as
# of a time leaves nothing for a second tick at that time to do.
# - Steering-group reports are requested first: one requested late (the scheduler was
#   down) is past its due date already, and it is the deadline tick that marks it overdue.
# - The deadline tick runs before the cadence check, which judges what the deadlines did
#   (a report overdue, a meeting convened or held, an agreement in force or expired). The
#   cases the check opens start in states without deadlines, and an agreement it marks
#   due for revision expires after today, so the check leaves no deadline due behind it.
#   Deadlines that the tick's own transitions make due, it handles in the same run.
# - Reminders come after those, for the deadlines they set.
# - The digest comes after every job that changes what waits for a person. It counts the
#   messages still in the outbox as unread, so it need not wait for their delivery.
# - The reset links asked for on the login page are matched to people before the outbox
#   runs, so that a link goes out in the tick after it was asked for.
# - The outbox goes last, so that whatever the others queued, digests too, goes out in
#   the same tick.
# The daily jobs keep that order on the clock as well: 05:50, 06:00, 07:00 and 07:05.
JOBS = (
    Job(
        "reports",
        "steering-group reports requested",
        request_reports,
        "opened",
        {"hour": "5", "minute": "50"},
    ),
    Job("deadlines", "deadline tick", handle_due_deadlines, "handled", EVERY_MINUTE_OUTSIDE_2AM),
    Job(
        "cadence", "cadence check", check_cadence, "findings changed", {"hour": "6", "minute": "0"}
    ),
    Job(
        "reminders",
        "reminders before due dates",
        send_reminders,
        "sent",
        {"hour": "7", "minute": "0"},
    ),
    Job("digest", "daily digest", send_digests, "sent", {"hour": "7", "minute": "5"}),
    Job(
        "resets",
        "password reset links asked for",
        send_requested_links,
        "queued",
        EVERY_MINUTE_OUTSIDE_2AM,
    ),
    Job("outbox", "outbox delivery", deliver_outbox, "delivered", EVERY_MINUTE_OUTSIDE_2AM),
)


def sessions_for(engine_or_sessions: Engine | Sessions) -> Sessions:
    """Write sessions on ``engine``, or the session factory given."""
    if isinstance(engine_or_sessions, Engine):
        return session_factory(engine_or_sessions, write=True)
    return engine_or_sessions


def tick(engine_or_sessions: Engine | Sessions, *, now: datetime | None = None) -> dict[str, dict]:
    """Run every job once as of ``now``, each in its own transaction; their results by name."""
    now = resolve(now)
    sessions = sessions_for(engine_or_sessions)
    return {job.name: run_job(job, sessions, now=now) for job in JOBS}


def run_job(job: Job, sessions: Sessions, *, now: datetime | None = None) -> dict[str, Any]:
    """Run one job and record its run; a failing job is logged and recorded, never raised,
    so the other jobs and the next tick still run."""
    now = resolve(now)
    started = utcnow()
    with sessions() as session:
        try:
            result = _result(job, job.run(session, now=now))
            session.commit()
        except Exception as exc:
            session.rollback()
            log.exception("scheduler job %s failed", job.name)
            result = {"error": f"{type(exc).__name__}: {exc}"}
        _record(session, job.name, started=started, now=now, result=result)
        session.commit()
    return result


def _result(job: Job, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, int):
        return {job.counts: value}
    return {job.counts: len(value)}


def _record(
    session: Session, name: str, *, started: datetime, now: datetime, result: dict[str, Any]
) -> None:
    values = {
        "last_run_at": started,
        "as_of": now,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "result": result,
    }
    statement = dialect_insert(session, JobRun).values(job=name, **values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["job"], set_={key: statement.excluded[key] for key in values}
        )
    )


@dataclass(frozen=True)
class JobStatus:
    job: Job
    next_run: datetime | None
    last: JobRun | None


def job_status(session: Session, *, now: datetime | None = None) -> list[JobStatus]:
    """Each job's next run after ``now`` (Oslo time) and its last recorded run."""
    now = resolve(now)
    runs = {run.job: run for run in session.scalars(select(JobRun))}
    return [
        JobStatus(
            job, job.trigger().get_next_fire_time(None, now.astimezone(OSLO)), runs.get(job.name)
        )
        for job in JOBS
    ]
