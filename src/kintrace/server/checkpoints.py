"""The server's schedule of signed audit checkpoints (see kintrace.store.audit_anchor).

Runs in the app's lifespan when KINTRACE_AUDIT_ANCHOR_FILE is set: every
KINTRACE_AUDIT_CHECKPOINT_INTERVAL_S seconds (default one hour) it appends a checkpoint if the
log has grown. A configured anchor file without a usable key stops the start, rather than run
a registry whose log nobody anchors while its operators believe it is anchored.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from kintrace.server import background
from kintrace.store.audit_anchor import (
    ANCHOR_FILE_ENV,
    DEFAULT_INTERVAL_S,
    INTERVAL_ENV,
    AnchorError,
    load_key,
    write_checkpoint,
)

log = logging.getLogger("kintrace.audit")


@dataclass(frozen=True)
class CheckpointSchedule:
    path: Path
    key: bytes
    interval_s: float


def schedule_from_env(environ: Mapping[str, str] | None = None) -> CheckpointSchedule | None:
    """The schedule the environment asks for; None when no anchor file is configured."""
    env = os.environ if environ is None else environ
    if not env.get(ANCHOR_FILE_ENV):
        return None
    raw = env.get(INTERVAL_ENV) or str(DEFAULT_INTERVAL_S)
    try:
        interval = float(raw)
    except ValueError:
        raise AnchorError(f"{INTERVAL_ENV}={raw!r} is not a number of seconds") from None
    if not interval > 0:
        raise AnchorError(f"{INTERVAL_ENV}={raw!r} must be more than 0 seconds")
    return CheckpointSchedule(Path(env[ANCHOR_FILE_ENV]), load_key(env), interval)


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
