"""The scheduler: deadline tick, reminders, cadence check, digest and outbox delivery.

The database holds the truth and APScheduler only says when: ``tick`` runs every
job once as of any time, ``run_scheduler`` is the production process behind one
lock per installation, and ``start_in_process`` runs the same jobs inside the
development server.
"""

from engine.scheduler.deadline_tick import due_deadline_ids, handle_due_deadlines
from engine.scheduler.jobs import JOBS, Job, JobStatus, job_status, run_job, tick
from engine.scheduler.lock import SchedulerLock, lock_for, wait_for_lock
from engine.scheduler.process import build_scheduler, run_scheduler, start_in_process
from engine.scheduler.reminders import send_reminders

__all__ = [
    "JOBS",
    "Job",
    "JobStatus",
    "SchedulerLock",
    "build_scheduler",
    "due_deadline_ids",
    "handle_due_deadlines",
    "job_status",
    "lock_for",
    "run_job",
    "run_scheduler",
    "send_reminders",
    "start_in_process",
    "tick",
    "wait_for_lock",
]
