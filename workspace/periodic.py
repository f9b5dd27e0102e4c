"""The periodic jobs without a beat: `make run` (no Redis, eager Celery) runs the schedule of
workspace/celery.py (`beat_schedule`) inside the web server's event loop.

It starts with the server's ASGI lifespan (uvicorn sends it; tests and the test client do not),
and only when Celery is eager: with Redis, tasks go to workers and exactly one `celery beat` runs
the schedule, so the web processes never do. One per process at most.
"""

import asyncio
import contextlib
import logging

from asgiref.sync import sync_to_async
from celery import beat, schedules
from django.conf import settings
from django.db import close_old_connections

from workspace.celery import app as celery_app

logger = logging.getLogger(__name__)


class InProcessScheduler(beat.Scheduler):
    """Celery's own scheduler over `beat_schedule`, running each due task here and now."""

    producer = None  # tasks run here, nothing is sent to a broker

    def setup_schedule(self):
        self.app.loader.import_default_modules()  # registers the apps' tasks (autodiscovery)
        self.merge_inplace(self.app.conf.beat_schedule)  # the schedule only, no default entries
        # The every-minute scans run once at start too: what fell due while the server was
        # stopped (a deadline passed overnight) is done at once. Daily jobs keep their hour.
        for entry in self.schedule.values():
            if type(entry.schedule) is schedules.schedule:
                entry.last_run_at = entry.default_now() - entry.schedule.run_every

    def apply_entry(self, entry, producer=None):
        task = self.app.tasks[entry.task]
        close_old_connections()
        try:
            task.apply(args=entry.args, kwargs=entry.kwargs, throw=True)
        except Exception:
            logger.exception("The periodic job %s (%s) failed", entry.name, entry.task)
        finally:
            close_old_connections()


def should_run() -> bool:
    return settings.PERIODIC_JOBS_IN_PROCESS and bool(celery_app.conf.task_always_eager)


class PeriodicJobs:
    """Runs the scheduler as a task of the event loop; each tick (and the job it runs) in
    Django's thread for synchronous code, as a view would."""

    running: "PeriodicJobs | None" = None  # at most one per process

    def __init__(self):
        self._stop = asyncio.Event()
        self._task = None

    @classmethod
    def start(cls) -> "PeriodicJobs | None":
        if cls.running is not None or not should_run():
            return None
        jobs = cls.running = cls()
        jobs._task = asyncio.get_running_loop().create_task(jobs._run())
        logger.info("Periodic jobs run in this process (Celery is eager; no beat needed)")
        return jobs

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        if PeriodicJobs.running is self:
            PeriodicJobs.running = None

    async def _run(self) -> None:
        scheduler = await sync_to_async(InProcessScheduler)(celery_app)
        while not self._stop.is_set():
            try:
                delay = await sync_to_async(scheduler.tick)()
            except Exception:
                logger.exception("The periodic job scheduler failed a tick")
                delay = 60
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=max(delay, 0))


class LifespanWithPeriodicJobs:
    """ASGI middleware: answers the lifespan protocol, starting and stopping the jobs; passes
    everything else on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        jobs = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                jobs = PeriodicJobs.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if jobs is not None:
                    await jobs.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return
