"""Crash recovery: SIGKILL `mirules run --db` at random points, resume, compare.

20 seeded trials on a 10,000-event stream, each with a random batch size and a random writer
(inline, or the write-behind writer process) for the killed run and for the resumed one.
After each kill the replay is resumed with `--resume`; the database must then equal that of an uninterrupted run: every event processed
once (0 lost), every intervention once (0 duplicated), identical final client states.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import stored_rows
from mirules._simulate import mixed_journeys

TRIALS = 20
EVENTS = 10_000
WRITERS = ("inline", "process")


def _stream(path: Path) -> None:
    events = mixed_journeys(120)[:EVENTS]
    path.write_text("".join(json.dumps(e) + "\n" for e in events))


def _command(stream: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "mirules", "run", str(stream), "--db", str(db), *extra]


ENV = {**os.environ, "MIRULES_LOAD_PLUGINS": ""}


def _complete(stream: Path, db: Path, *extra: str) -> None:
    done = subprocess.run(_command(stream, db, *extra), env=ENV, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_sigkill_and_resume_loses_and_duplicates_nothing(tmp_path, capsys) -> None:
    stream = tmp_path / "events.jsonl"
    _stream(stream)
    reference_db = tmp_path / "reference.db"
    start = time.monotonic()
    _complete(stream, reference_db)
    duration = time.monotonic() - start
    reference = stored_rows(reference_db)
    assert len(reference["events"]) == EVENTS
    rng = random.Random(20261126)
    killed_midway = 0
    partials: list[int] = []
    for trial in range(TRIALS):
        db = tmp_path / f"trial-{trial}.db"
        batch = str(rng.choice([1, 10, 100]))
        writer, resume_writer = rng.choice(WRITERS), rng.choice(WRITERS)
        proc = subprocess.Popen(_command(stream, db, "--batch-size", batch, "--writer", writer),
                                env=ENV, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.9) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial = len(stored_rows(db)["events"]) if db.exists() else 0
        killed_midway += 0 < partial < EVENTS
        partials.append(partial)
        # A killed run's writer process may still be committing what it was sent.
        _complete(stream, db, "--resume", "--writer", resume_writer)
        after = stored_rows(db)
        assert len(after["events"]) == EVENTS, f"trial {trial}: lost events"
        ids = [row[0] for row in after["interventions"]]
        assert len(ids) == len(set(ids)), f"trial {trial}: duplicated interventions"
        assert after == reference, f"trial {trial}: differs from the uninterrupted run"
    with capsys.disabled():
        print(f"\ncrash test: {TRIALS} SIGKILLs; events committed at the kill: {sorted(partials)}; "
              f"after --resume each database equals the uninterrupted run "
              f"({EVENTS} events, {len(reference['interventions'])} interventions)")  # fmt: skip
    assert killed_midway >= TRIALS // 2  # most kills landed mid-replay
