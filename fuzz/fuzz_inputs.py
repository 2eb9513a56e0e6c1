"""Coverage-guided fuzzing (atheris) of everything that reads untrusted input: event JSON
lines, rulesets (YAML) and conditions. Any exception other than MirulesError is a finding.

    pip install atheris
    python fuzz/fuzz_inputs.py -atheris_runs=200000        # or -max_total_time=60
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from mirules import Condition, Engine, MirulesError

ENGINE = Engine(rulesets=[], load_entry_points=False)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    target = fdp.ConsumeIntInRange(0, 2)
    payload = fdp.ConsumeBytes(fdp.remaining_bytes())
    try:
        if target == 0:
            ENGINE.parse_event(payload)
        elif target == 1:
            ENGINE.load_ruleset("fuzz.yaml", text=payload)
        else:
            Condition.parse(payload.decode("utf-8", "replace"))
    except MirulesError:
        pass


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
