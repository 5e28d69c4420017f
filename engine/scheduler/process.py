"""Running the jobs on time: the production process, and the development server's thread.

APScheduler 3 keeps the jobs in memory, defined in code (a database job store
would pickle callables into a table outside the migrations). It only ticks: a
missed run is caught up from the data, which is why the process runs a whole
tick when it starts or takes over from a scheduler that died.
"""

from __future__ import annotations

import atexit
import logging
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine

from engine.calendar import OSLO
from engine.scheduler.jobs import JOBS, Sessions, run_job, sessions_for, tick
from engine.scheduler.lock import SchedulerLock, lock_for, wait_for_lock

log = logging.getLogger(__name__)

JOB_DEFAULTS = {
    "coalesce": True,  # runs missed while busy or asleep become one run
    "max_instances": 1,
    "misfire_grace_time": 3600,  # a late run is still worth doing; catching up is the data's job
}
LOCK_CHECK_SECONDS = 30


def build_scheduler(kind: type[BaseScheduler], sessions: Sessions) -> BaseScheduler:
    """A scheduler of ``kind`` with every job on its Europe/Oslo schedule."""
    scheduler = kind(timezone=OSLO, job_defaults=JOB_DEFAULTS)
    for job in JOBS:
        scheduler.add_job(
            run_job, job.trigger(), args=(job, sessions), id=job.name, name=job.description
        )
    return scheduler


def run_scheduler(engine: Engine, *, standby_interval: float = 5.0) -> None:
    """The production scheduler (``politirad scheduler run``); returns only by an exception.

    It waits as standby while another process holds the lock, catches up with one
    tick when it gets the lock, then runs the jobs on time. If the lock is lost (its
    database connection died) it stops the jobs and goes back to standby.
    """
    lock = lock_for(engine)
    sessions = sessions_for(engine)
    try:
        while True:
            wait_for_lock(lock, standby_interval)
            tick(sessions)
            scheduler = build_scheduler(BlockingScheduler, sessions)
            scheduler.add_job(
                _keep_lock,
                "interval",
                seconds=LOCK_CHECK_SECONDS,
                args=(lock, scheduler),
                id="lock",
                name="lock check",
            )
            log.info("scheduler running")
            scheduler.start()  # blocks until _keep_lock shuts it down
            log.warning("scheduler stopped; back to standby")
    finally:
        lock.release()


def _keep_lock(lock: SchedulerLock, scheduler: BaseScheduler) -> None:
    if not lock.still_held():
        log.error("lost the scheduler lock; stopping the jobs")
        scheduler.shutdown(wait=False)


def start_in_process(app_or_engine: Any) -> BackgroundScheduler | None:
    """Run the jobs in a thread of this process, for the development server (``make run``).

    Takes a Flask app (its engine) or an engine. Nothing is started when another
    scheduler already holds the lock; returns the running scheduler, or None.
    """
    extensions = getattr(app_or_engine, "extensions", None)
    engine: Engine = extensions["politirad.engine"] if extensions else app_or_engine
    lock = lock_for(engine)
    if not lock.acquire():
        log.warning("not starting a scheduler here: %s runs one", lock.holder())
        return None
    sessions = sessions_for(engine)
    scheduler = build_scheduler(BackgroundScheduler, sessions)
    scheduler.add_job(tick, args=(sessions,), id="catch_up", name="catch up after start")
    scheduler.start()
    atexit.register(_stop, scheduler, lock)
    return scheduler


def _stop(scheduler: BaseScheduler, lock: SchedulerLock) -> None:
    if scheduler.running:
        scheduler.shutdown(wait=False)
    lock.release()
