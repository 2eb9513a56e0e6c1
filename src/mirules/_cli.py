"""The ``mirules`` command line. Errors print one clear line per problem and exit 2."""

from __future__ import annotations

import itertools
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import attrs
import click
import structlog

from ._convert import to_jsonable
from ._engine import Engine
from ._errors import InvalidEvent, MirulesError
from ._events import Event
from ._fidelity import Fidelity
from ._lint import lint_ruleset
from ._model import Decision, Intervention
from ._plugins import PluginHost
from ._rulesets import Ruleset
from ._sqlite import SQLiteStore
from ._stores import Store
from ._timeutil import format_timestamp
from .plugins.rulesets import resolve_ruleset

EXIT_USAGE = 2


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("mirules")
    logger.handlers[:] = [h for h in logger.handlers if isinstance(h, logging.NullHandler)] + [
        handler
    ]
    logger.setLevel(level)
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(EXIT_USAGE)


def _engine(rulesets: Sequence[str], matcher: str = "python", store: Store | None = None) -> Engine:
    try:
        chosen = [resolve_ruleset(r) for r in rulesets] if rulesets else None
        return Engine(chosen, matcher=matcher, store=store)
    except MirulesError as exc:
        _fail(str(exc))


ruleset_option = click.option(
    "--ruleset",
    "rulesets",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="A ruleset YAML file, or the name of a shipped one (core-mi, physical-activity, "
    "smoking-cessation); repeatable. Default: the registered rulesets (core-mi).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log more (to stderr). Repeat for debug.")
@click.version_option(package_name="mirules")
def cli(verbose: int) -> None:
    """mirules: motivational-interviewing interventions from coaching events."""
    _configure_logging(verbose)


def _read_events(path: str) -> Iterator[tuple[int, bytes]]:
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        _fail(f"{path}: cannot read: {exc.strerror}")
    with handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line


def _print_decision(decision: Decision, event: Event) -> None:
    at = format_timestamp(event.at)
    head = f"{decision.event_id}  {at}  {event.type}  (client {decision.client_id})"
    if decision.duplicate:
        click.echo(f"{head}: duplicate event, skipped")
        return
    if not decision.interventions:
        click.echo(f"{head}: no intervention")
    else:
        click.echo(head)
    for iv in decision.interventions:
        click.echo(
            f"  -> [{iv.audience}/{iv.indicator}] {iv.ruleset}/{iv.rule}"
            f"  strategy={iv.strategy}  process={iv.process}"
        )
        click.echo(f'     "{iv.message}"')
        click.echo(f"     reason: {iv.reason()}")
    for sup in decision.suppressed:
        click.echo(f"  .. suppressed {sup.ruleset}/{sup.rule}: {sup.reason} ({sup.detail})")


@cli.command()
@click.argument("events_file", type=click.Path(dir_okay=False))
@ruleset_option
@click.option("--json", "as_json", is_flag=True, help="Print one Decision per line as JSON.")
@click.option(
    "--matcher", type=click.Choice(["python", "rete"]), default="python", show_default=True
)
@click.option("--summary", is_flag=True, help="Finish with fidelity metrics per client and run.")
@click.option("--db", type=click.Path(dir_okay=False), help="Keep state in this SQLite file.")
@click.option("--resume", is_flag=True, help="Continue a replay into --db: skip processed events.")
@click.option(
    "--batch-size", type=click.IntRange(1, 100_000), default=100, show_default=True,
    help="Events per committed transaction (group commit).",
)  # fmt: skip
@click.option(
    "--synchronous", type=click.Choice(["full", "normal"]), default="full", show_default=True,
    help="SQLite durability: full survives power loss, normal survives a process crash.",
)  # fmt: skip
@click.option(
    "--writer", type=click.Choice(["inline", "process"]), default="inline", show_default=True,
    help="process: a writer process commits while the next events are evaluated.",
)  # fmt: skip
def run(
    events_file: str,
    rulesets: tuple[str, ...],
    as_json: bool,
    matcher: str,
    summary: bool,
    db: str | None,
    resume: bool,
    batch_size: int,
    synchronous: str,
    writer: str,
) -> None:
    """Replay EVENTS_FILE (JSON lines, in order) and print each event's interventions."""
    if resume and not db:
        _fail("--resume needs --db")
    store = _open_store(db, synchronous, writer) if db else None
    if store is not None and not resume and (processed := store.events_processed()):
        store.close()
        _fail(f"{db}: already holds {processed} processed events; pass --resume "
              "to continue that replay, or use a new database")  # fmt: skip
    emitted: list[Intervention] = []
    suppressed: Counter[str] = Counter()
    skipped = 0
    with _engine(rulesets, matcher, store) as engine:
        lines = _read_events(events_file)
        # Whole batches, and enough of them for the writer process to overlap with evaluation.
        while chunk := list(itertools.islice(lines, batch_size * -(-1000 // batch_size))):
            events: list[tuple[int, Event]] = []
            bad: tuple[int, InvalidEvent] | None = None
            for number, line in chunk:
                try:
                    events.append((number, engine.parse_event(line)))
                except InvalidEvent as exc:
                    bad = (number, exc)
                    break
            result = engine.process_many(
                [e for _, e in events], batch_size=batch_size, stop_on_error=True
            )
            for (_, event), decision in zip(events, result.decisions, strict=False):
                if decision.duplicate and resume:
                    skipped += 1
                    continue
                emitted.extend(decision.interventions)
                suppressed.update(s.reason for s in decision.suppressed)
                if as_json:
                    click.echo(json.dumps(to_jsonable(decision), ensure_ascii=False))
                else:
                    _print_decision(decision, event)
            if result.failures:
                failure = result.failures[0]
                bad_number = events[failure.index][0]
                error = failure.error
                if isinstance(error, InvalidEvent):
                    _fail(f"{events_file}:{bad_number}: {error.field or 'event'}: {error.reason}")
                _fail(f"{events_file}:{bad_number}: {error}")
            if bad is not None:
                _fail(f"{events_file}:{bad[0]}: {bad[1].field or 'event'}: {bad[1].reason}")
        if skipped:
            click.echo(f"resumed: skipped {skipped} events already processed", err=True)
        if summary:
            _print_summary(emitted, suppressed, err=as_json)


def _open_store(path: str, synchronous: str, writer: str = "inline") -> SQLiteStore:
    try:
        return SQLiteStore(
            path,
            synchronous="FULL" if synchronous == "full" else "NORMAL",
            writer="process" if writer == "process" else "inline",
        )
    except MirulesError as exc:
        _fail(str(exc))


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False, exists=True), required=True)
@click.option("--limit", type=click.IntRange(1), default=None, help="Show at most this many.")
@click.option("--json", "as_json", is_flag=True, help="One intervention per line as JSON.")
@click.option(
    "--ack", "ack", multiple=True, help="Mark this intervention id delivered (repeatable)."
)
def outbox(db: str, limit: int | None, as_json: bool, ack: tuple[str, ...]) -> None:
    """List undelivered interventions in a database (the outbox), oldest first."""
    store = _open_store(db, "full")
    try:
        if ack:
            changed = store.mark_delivered(ack)
            click.echo(f"marked {changed} of {len(ack)} delivered", err=True)
        for iv in store.pending(limit):
            if as_json:
                click.echo(json.dumps(to_jsonable(iv), ensure_ascii=False))
            else:
                click.echo(f"{iv.id}\t{iv.client_id}\t{iv.event_id}\t{iv.audience}/{iv.indicator}\t"
                           f"{iv.ruleset}/{iv.rule}\t{iv.message}")  # fmt: skip
    finally:
        store.close()


def _print_summary(emitted: list[Intervention], suppressed: Counter[str], *, err: bool) -> None:
    """Fidelity per client and for the run (to stderr when stdout carries JSON)."""
    clients = sorted({iv.client_id for iv in emitted})
    click.echo("", err=err)
    click.echo("summary", err=err)
    for client in clients:
        fidelity = Fidelity.of(iv for iv in emitted if iv.client_id == client)
        click.echo(f"  client {client}: {fidelity.summary()}", err=err)
    click.echo(f"  run: {Fidelity.of(emitted).summary()}", err=err)
    reasons = ", ".join(f"{k} {v}" for k, v in sorted(suppressed.items())) or "none"
    click.echo(f"  suppressed: {reasons}", err=err)


@cli.command()
@click.argument("events_file", type=click.Path(dir_okay=False))
@click.option("--event", "event_id", required=True, help="The id of the event to explain.")
@ruleset_option
def explain(events_file: str, event_id: str, rulesets: tuple[str, ...]) -> None:
    """Replay EVENTS_FILE up to --event and show every rule that listens to it, with each
    condition, the value it read and whether it held."""
    with _engine(rulesets) as engine:
        for number, line in _read_events(events_file):
            try:
                event = engine.parse_event(line)
                if event.id == event_id:
                    _explain(engine, event)
                    return
                engine.process(event)
            except InvalidEvent as exc:
                _fail(f"{events_file}:{number}: {exc.field or 'event'}: {exc.reason}")
            except MirulesError as exc:
                _fail(f"{events_file}:{number}: {exc}")
    _fail(f"{events_file}: no event with id {event_id!r}")


def _explain(engine: Engine, event: Any) -> None:
    state = engine.state(event.client_id)
    decision = engine.evaluate(state, event)
    click.echo(f"event {event.id} ({event.type}) for client {event.client_id}")
    chosen = {(i.ruleset, i.rule) for i in decision.interventions}
    suppressed = {(s.ruleset, s.rule): s for s in decision.suppressed}
    for ruleset, rule, held, results in engine.explain(state, event):
        key = (ruleset.name, rule.id)
        if key in chosen:
            verdict = "CHOSEN"
        elif key in suppressed:
            verdict = f"matched, suppressed: {suppressed[key].reason} ({suppressed[key].detail})"
        else:
            verdict = "matched" if held else "did not match"
        click.echo(f"  {ruleset.name}/{rule.id}: {verdict}")
        click.echo(f"    when: {rule.when.source if rule.when else '(always)'}")
        for result in results:
            click.echo(f"      {result.describe()}")
    for iv in decision.interventions:
        if iv.ruleset == "safety":
            click.echo(f"  {iv.ruleset}/{iv.rule}: CHOSEN ({iv.why})")


def _load_targets(engine: Engine, paths: tuple[str, ...]) -> tuple[list[Ruleset], int]:
    """Load each path (default: the engine's rulesets), printing load errors; count them."""
    if not paths:
        return list(engine.rulesets), 0
    loaded, problems = [], 0
    for path in paths:
        try:
            loaded.append(engine.load_ruleset(resolve_ruleset(path)))
        except MirulesError as exc:
            text = str(exc)
            problems += text.count("\n") + 1
            click.echo(text)
    return loaded, problems


def _lint(rulesets: Sequence[Ruleset]) -> int:
    findings = [finding for ruleset in rulesets for finding in lint_ruleset(ruleset)]
    for finding in findings:
        click.echo(str(finding))
    return len(findings)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
def check(paths: tuple[str, ...]) -> None:
    """Check rulesets (default: the loaded ones): load errors, then lint findings.
    Prints every problem; exit 1 if any."""
    with _engine(()) as engine:
        rulesets, problems = _load_targets(engine, paths)
        problems += _lint(rulesets)
        if not problems:
            for ruleset in rulesets:
                size = f"{len(ruleset.rules)} rules"
                click.echo(f"{ruleset.source}: ok ({ruleset.name} {ruleset.version}, {size})")
    if problems:
        click.echo(f"{problems} problem(s) found", err=True)
        sys.exit(1)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
def lint(paths: tuple[str, ...]) -> None:
    """Lint message templates against the MI.md §4 lexicon and check that codes fit the text
    (default: the loaded rulesets). Exit 1 with findings, 0 when clean."""
    with _engine(()) as engine:
        rulesets, problems = _load_targets(engine, paths)
        problems += _lint(rulesets)
    if problems:
        click.echo(f"{problems} finding(s)", err=True)
        sys.exit(1)
    click.echo(f"{len(rulesets)} ruleset(s), no findings")


@cli.command("rulesets")
@ruleset_option
@click.option("--shipped", is_flag=True, help="List every shipped ruleset, loaded or not.")
def list_rulesets(rulesets: tuple[str, ...], shipped: bool) -> None:
    """List the loaded rulesets: name, version, rule count and source."""
    from .plugins.rulesets import shipped_rulesets

    chosen = tuple(str(path) for path in shipped_rulesets().values()) if shipped else rulesets
    if shipped:
        with _engine(()) as engine:  # each shipped file loads on its own: they extend core-mi
            loaded = []
            for path in chosen:
                try:
                    loaded.append(engine.load_ruleset(path))
                except MirulesError as exc:
                    _fail(str(exc))
    else:
        with _engine(chosen) as engine:
            loaded = list(engine.rulesets)
    for ruleset in loaded:
        click.echo(
            f"{ruleset.name}\t{ruleset.version}\t{len(ruleset.rules)} rules\t{ruleset.source}"
        )


@cli.command("plugins")
def list_plugins() -> None:
    """List loaded plugins: name, version, source and the hooks each implements."""
    with _engine(()) as engine:
        for info in engine.plugins():
            click.echo(f"{info.name}\t{info.version}\t{info.source}\t{', '.join(info.hooks)}")


@cli.command()
@click.option("--clients", type=click.IntRange(1, 1_000_000), default=100, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@ruleset_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def simulate(clients: int, seed: int, rulesets: tuple[str, ...], as_json: bool) -> None:
    """Run synthetic client journeys (personas: steady, lapsing, low confidence, "should"
    goal, discordant, in crisis once) and print what the rulesets emit. Deterministic for a
    given seed."""
    from ._simulate import format_report
    from ._simulate import simulate as run_simulation

    progress = click.progressbar(length=clients, label="simulating", file=sys.stderr)
    with _engine(rulesets) as engine, progress as bar:
        report = run_simulation(engine, clients, seed, progress=bar.update)
    if as_json:
        data = attrs.asdict(report)
        data["fidelity"].update(rq=report.fidelity.rq, pct_complex=report.fidelity.pct_complex)
        click.echo(json.dumps(data, sort_keys=True))
    else:
        click.echo(format_report(report, seed))


def main(argv: Sequence[str] | None = None) -> None:
    try:
        host = PluginHost()
        host.hook.mirules_register_commands(cli=cli)
    except MirulesError as exc:
        _fail(str(exc))
    cli.main(args=list(argv) if argv is not None else None, prog_name="mirules")


if __name__ == "__main__":  # pragma: no cover
    main()
