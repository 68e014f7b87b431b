"""The server's schedule of signed audit checkpoints (see kintrace.store.audit_anchor).

Runs in the app's lifespan when KINTRACE_AUDIT_ANCHOR_FILE is set: every
KINTRACE_AUDIT_CHECKPOINT_INTERVAL_S seconds (default one hour) it appends a checkpoint if the
log has grown. A configured anchor file without a usable key stops the start, rather than run
a registry whose log nobody anchors while its operators believe it is anchored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from kintrace.server import background
from kintrace.settings import Settings
from kintrace.store.audit_anchor import INTERVAL_ENV, AnchorError, load_key, write_checkpoint

log = logging.getLogger("kintrace.audit")


@dataclass(frozen=True)
class CheckpointSchedule:
    path: Path
    key: bytes
    interval_s: float


def schedule_from_settings(config: Settings) -> CheckpointSchedule | None:
    """The schedule the settings ask for; None when no anchor file is configured."""
    if config.audit_anchor_file is None:
        return None
    interval = config.audit_checkpoint_interval_s
    if not interval > 0:
        raise AnchorError(f"{INTERVAL_ENV}={interval} must be more than 0 seconds")
    return CheckpointSchedule(config.audit_anchor_file, load_key(config), interval)


def checkpoint_once(factory: sessionmaker[Session], schedule: CheckpointSchedule) -> None:
    with factory() as session:
        try:
            point = write_checkpoint(session, schedule.path, schedule.key, if_changed=True)
        except AnchorError as error:
            # Loud, and retried next time: an operator must look at the log before it is anchored.
            log.error("audit checkpoint refused: %s", error)
            return
        finally:
            session.rollback()
    if point is not None:
        log.info("audit %s written to %s", point.describe(), schedule.path)


def install(app: FastAPI, factory: sessionmaker[Session], schedule: CheckpointSchedule | None) -> None:
    """Run the schedule beside whatever lifespan the app already has; one last checkpoint on the way
    out, so the rows of the last interval are anchored too."""
    if schedule is not None:
        background.every(
            app,
            "audit-checkpoints",
            schedule.interval_s,
            lambda: checkpoint_once(factory, schedule),
            on_stop=True,
        )
