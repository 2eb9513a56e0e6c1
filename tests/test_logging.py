from __future__ import annotations

import subprocess
import sys

# Run in a fresh interpreter: the CLI tests configure logging in this process, as a CLI should.
CODE = """
import logging
import mirules
handlers = logging.getLogger("mirules").handlers
assert handlers and all(isinstance(h, logging.NullHandler) for h in handlers), handlers
with mirules.Engine(load_entry_points=False) as e:
    e.process({"id": "e", "client_id": "c", "type": "action_missed",
               "at": "2026-03-02T08:00:00Z", "action_id": "a"})
import structlog
assert not logging.getLogger().handlers
assert not structlog.is_configured()
"""


def test_library_does_not_configure_logging_and_prints_nothing() -> None:
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == ""


def test_engine_logs_through_structlog(mirules_engine, event, caplog) -> None:
    import logging

    from structlog.testing import capture_logs

    with capture_logs() as logs:
        mirules_engine.process(event("action_missed", action_id="a"))
    assert logs == []  # debug records are not even built unless "mirules" logs at DEBUG
    caplog.set_level(logging.DEBUG, logger="mirules")
    with capture_logs() as logs:
        mirules_engine.process(event("action_missed", action_id="a"))
    assert any(entry["event"] == "decided" for entry in logs)
