"""Library logging: structlog over the stdlib logger "mirules", which has a NullHandler.

The library never configures structlog or logging; the CLI (or the host) does. Loggers are
made per use, never bound at module scope.
"""

from __future__ import annotations

import logging
from typing import Any

import structlog

LOGGER_NAME = "mirules"
_STDLIB_LOGGER = logging.getLogger(LOGGER_NAME)  # the stdlib's own registry keeps it anyway
_STDLIB_LOGGER.addHandler(logging.NullHandler())


def get_logger(**initial: Any) -> Any:
    return structlog.wrap_logger(_STDLIB_LOGGER, wrapper_class=structlog.stdlib.BoundLogger).bind(
        **initial
    )


def debug_enabled() -> bool:
    """Whether debug records would go anywhere (saves building them on the hot path)."""
    return _STDLIB_LOGGER.isEnabledFor(logging.DEBUG)
