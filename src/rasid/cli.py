"""The `rasid` command: run the daemon, check a config, match files."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import signal
import sys
from collections.abc import Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from rasid import __version__
from rasid.collector import collector_paused
from rasid.config import (
    SENDING,
    Config,
    ConfigError,
    WebhookNotifier,
    ambiguous_area,
    default_config_path,
    format_duration,
    load_config,
)
from rasid.logs import configure_logging
from rasid.match.compiler import WatchListError
from rasid.redact import redact_url
from rasid.source_status import source_rows, when

PIDFILE = "rasid.pid"
WRITER_LOCK = "rasid.lock"


class StateInUse(RuntimeError):
    """Another process runs the pipeline on this SQLite state."""

if TYPE_CHECKING:
    import httpx

    from rasid.daemon import Daemon
    from rasid.match.gazetteer import Gazetteer, Place
    from rasid.store import ArchivedReport, SQLStore, Store


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.command(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except WatchListError as exc:
        print(f"config: {exc}", file=sys.stderr)
        return 1
    except (StateInUse, *_state_errors()) as exc:
        print(f"state: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like (before ConnectionError, its base)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except ConnectionError as exc:  # the state database is unreachable
        print(f"state: {exc}", file=sys.stderr)
        return 1


def _state_errors() -> tuple[type[Exception], ...]:
    """The store's own errors, imported when one may have been raised (`rasid match` never opens it)."""
    from rasid.store import StateError

    return (StateError,)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rasid", description="Monitor Arabic news for places and keywords.")
    parser.add_argument("--version", action="version", version=f"rasid {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name: str, func: object, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--config", "-c", metavar="PATH", help="config file (default: $RASID_CONFIG, ./config.yaml, /etc/rasid/config.yaml)")
        p.set_defaults(command=func)
        return p

    new_state = "start with a new, empty state where one was kept before (every file in watched folders alerts again)"
    command("run", _run, "run the daemon until SIGTERM or SIGINT; SIGHUP re-reads the config").add_argument(
        "--new-state", action="store_true", help=new_state
    )
    command("reload", _reload, "ask the running daemon to re-read its config (SIGHUP)")
    command("status", _status, "what the running daemon has been doing, from its state database")
    command("once", _once, "poll every source once, deliver due alerts, exit").add_argument(
        "--new-state", action="store_true", help=new_state
    )
    command("check", _check, "validate a config and summarise it").add_argument(
        "--online", action="store_true", help="also read each feed, channel, sitemap and listing page once and say which do not read as configured"
    )
    command("migrate", _migrate, "bring the state database's schema up to date (also done at every start)")
    replay = command("replay", _replay, "run the watch-lists over the archive (each report by the number `explain` takes); nothing is sent")
    replay.add_argument("--since", default="7d", metavar="DURATION", help="how far back (default 7d)")
    replay.add_argument("--watchlist", metavar="NAME", help="only this watch-list")
    replay.add_argument("--json", action="store_true", help="one JSON object per watch-list")
    diff_config = sub.add_parser(
        "diff-config", help="which archived reports a config change adds or drops, per watch-list",
        description="which archived reports a config change adds or drops, per watch-list",
    )  # fmt: skip
    diff_config.add_argument("old", metavar="OLD.yaml")
    diff_config.add_argument("new", metavar="NEW.yaml")
    diff_config.add_argument("--since", default="7d", metavar="DURATION", help="how far back (default 7d)")
    diff_config.add_argument("--json", action="store_true", help="one JSON object per watch-list")
    diff_config.set_defaults(command=_diff_config)
    explain = command("explain", _explain, "for one archived report, every watch-list's verdict and why")
    explain.add_argument(
        "report", metavar="REPORT", help="a report number (as replay prints it), URL, alert_… or story_… id, or a watched file's path"
    )
    outbox = command("outbox", _outbox, "list pending and dead deliveries; retry or purge them")
    outbox.add_argument("action", nargs="?", choices=["list", "retry", "purge"], default="list")
    outbox.add_argument("ids", nargs="*", metavar="ID", help="with retry: alert ids to requeue")
    outbox.add_argument("--all", action="store_true", help="with retry: requeue every dead delivery")
    outbox.add_argument("--pending", action="store_true", help="with retry: send pending deliveries now, not after their backoff")
    outbox.add_argument("--older", metavar="DURATION", help="with purge: delivered and dead rows older than this")
    outbox.add_argument("--json", action="store_true", help="with list: one JSON object per row")
    sources = command("sources", _sources, "each source's polls: last poll and success, status, errors, next poll; or discover a site's feeds")
    sources.add_argument("action", nargs="?", choices=["list", "discover", "try"], default="list")
    sources.add_argument("site", nargs="?", metavar="URL", help="with discover: the site whose feeds (and Telegram channels) to find; with try: the address to read as a source")
    for part in ("item", "title", "link", "date", "text"):
        sources.add_argument(f"--{part}", metavar="CSS", help=f"with try: the {part} selector (as `sources.pages[]` takes it)")
    sources.add_argument("--json", action="store_true", help="one JSON object per source")
    stories = command("stories", _stories, "list recent stories and every source that carried them")
    stories.add_argument("--since", default="1d", metavar="DURATION", help="how far back (default 1d)")
    stories.add_argument("--json", action="store_true", help="one JSON object per story")
    places = sub.add_parser("places", help="look up the gazetteer", description="look up the gazetteer")
    places_sub = places.add_subparsers(metavar="ACTION")
    search = places_sub.add_parser("search", help="places called NAME, or whose names start with it")
    search.add_argument("--config", "-c", metavar="PATH", help="add the config's own gazetteer places")
    search.add_argument("--json", action="store_true", help="one JSON object per place")
    search.add_argument("name", metavar="NAME")
    search.set_defaults(command=_places_search)
    listing = places_sub.add_parser("list", help="the places a watch-list entry would contain")
    listing.add_argument("--within", metavar="NAME", help="a country, division or region: name, Latin name or ISO code (YE-HU)")
    listing.add_argument("--gazetteer", metavar="CC", help="every place of this country (ISO code)")
    listing.add_argument("--min-population", type=int, default=0, metavar="N", help="leave out localities smaller than N")
    listing.add_argument("--config", "-c", metavar="PATH", help="add the config's own gazetteer places")
    listing.add_argument("--json", action="store_true", help="one JSON object per place")
    listing.set_defaults(command=_places_list)
    reference = sub.add_parser("config-reference", help="print the configuration reference (Markdown)")
    reference.set_defaults(command=_reference)
    silence = command("silence", _silence, "keep some alerts from being sent for a while (recorded, shown as silenced)")
    silence.add_argument("action", choices=["add", "list", "expire"])
    silence.add_argument("id", nargs="?", metavar="ID", help="with expire: the silence to end now")
    held = silence.add_mutually_exclusive_group()
    held.add_argument("--story", metavar="ID", help="alerts and updates of this story (story_…)")
    held.add_argument("--watchlist", metavar="NAME", help="alerts of this watch-list")
    held.add_argument("--place", metavar="NAME", help="alerts naming this place, or any place in this governorate or country")
    held.add_argument("--match", metavar="TEXT", help="alerts whose report says this (in matching form)")
    silence.add_argument("--for", dest="span", default="6h", metavar="DURATION", help="with add: how long (default 6h)")
    silence.add_argument("--note", default="", help="with add: why, for whoever reads the list")
    silence.add_argument("--all", action="store_true", help="with list: those that ended in the last 7 days too")
    silence.add_argument("--json", action="store_true", help="with list: one JSON object per silence")
    brief = command("brief", _brief, "print the summary a notifier's brief sends: counts, top stories, source problems")
    brief.add_argument("--since", default="1d", metavar="DURATION", help="how far back (default 1d)")
    brief.add_argument("--json", action="store_true", help="the brief's JSON document")
    notify_test = command("notify-test", _notify_test, "send a test alert through each notifier (or one) and say what its receiver answered")
    notify_test.add_argument("notifier", nargs="?", metavar="NOTIFIER", help="only this notifier")
    passwd = sub.add_parser(
        "passwd", help="hash a console user's password for http.users (asked for, or one line of standard input)",
        description="hash a console user's password for http.users (asked for, or one line of standard input)",
    )  # fmt: skip
    passwd.set_defaults(command=_passwd)
    match = command("match", _match, "match files against the watch-lists (no state is touched)")
    match.add_argument("--json", action="store_true", help="one JSON object per input, one per line")
    match.add_argument("files", nargs="+", metavar="FILE", help="files to match, - for standard input")
    return parser


def _silence(args: argparse.Namespace) -> int:
    import getpass
    import time

    from rasid.config import parse_duration
    from rasid.silences import new_silence_id
    from rasid.store import Silence
    from rasid.store.alert_index import place_keys

    _, config = _config(args, LOOKING)
    now = time.time()
    if args.action == "add":
        kind, value = next(((k, getattr(args, k)) for k in ("story", "watchlist", "place", "match") if getattr(args, k)), (None, None))
        if kind is None or not value:
            print("silence add: give --story, --watchlist, --place or --match", file=sys.stderr)
            return 2
        keys = place_keys(value, _gazetteer(args)) if kind == "place" else ()
        made = Silence(new_silence_id(), kind, value, keys, now, now + parse_duration(args.span), args.note, getpass.getuser())
        store = _open_store(config)
        try:
            store.add_silence(made)
        finally:
            store.close()
        print(f"{made.id}: {kind} {value} silenced until {when(made.ends)}")
        return 0
    if args.action == "expire":
        if not args.id:
            print("silence expire: give the silence's id (rasid silence list)", file=sys.stderr)
            return 2
        store = _open_store(config)
        try:
            ended = store.expire_silence(args.id, now)
        finally:
            store.close()
        print(f"{args.id}: ended" if ended else f"{args.id}: no such silence in force", file=sys.stdout if ended else sys.stderr)
        return 0 if ended else 1
    with _state(config) as store:
        listed = store.silences(now - 7 * 86400 if args.all else now)
    for s in listed:
        state = "active" if s.active(now) else "ended" if s.ends <= now else "pending"
        if args.json:
            print(json.dumps({**s.to_json(), "state": state, "starts": when(s.starts), "ends": when(s.ends)}, ensure_ascii=False))
        else:
            print(f"{s.id}  {state:7}  {s.kind} {s.value}  until {when(s.ends)}  by {s.by or '-'}{'  ' + s.note if s.note else ''}")
    if not listed and not args.json:
        print("no silences")
    return 0


def _brief(args: argparse.Namespace) -> int:
    import time

    from rasid.briefs import gathered_brief
    from rasid.config import parse_duration
    from rasid.delivery.senders import format_console

    _, config = _config(args, LOOKING)
    now = time.time()
    with _state(config) as store:
        document = gathered_brief(store, config, now - parse_duration(args.since), now)
    print(json.dumps(document, ensure_ascii=False) if args.json else format_console(document).rstrip("\n"))
    return 0


def _notify_test(args: argparse.Namespace) -> int:
    import asyncio

    import httpx

    from rasid.delivery.senders import build_senders
    from rasid.delivery.test_alert import test_alert

    _, config = _config(args, ("storage", "http"))
    chosen = [n for n in config.notifiers if args.notifier in (None, n.name)]
    if not chosen:
        print(f"notify-test: no notifier {args.notifier!r} (the config has {', '.join(n.name for n in config.notifiers) or 'none'})", file=sys.stderr)
        return 1

    async def send_all() -> int:
        failed = 0
        async with httpx.AsyncClient() as client:
            senders = build_senders(chosen, client)
            for notifier in chosen:
                sender = senders.get(notifier.name)
                if sender is None:
                    print(f"{notifier.name}: disabled (no url)")
                    continue
                document = test_alert(datetime.now(timezone.utc))
                result = await sender.send(document)
                answer = (f"answered {result.status}" if result.status else "done") if result.ok else result.error
                print(f"{notifier.name}: {'sent' if result.ok else 'FAILED'} ({answer}) id={document['id']}")
                failed += not result.ok
        return failed

    return 1 if asyncio.run(send_all()) else 0


def _passwd(args: argparse.Namespace) -> int:
    import getpass

    from argon2 import PasswordHasher

    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("passwd: the two passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 8:
        print("passwd: a password needs at least 8 characters", file=sys.stderr)
        return 1
    print(PasswordHasher().hash(password))
    return 0


def _open_store(
    config: Config, migrate: bool = True, *, writable: bool = True, verify: bool = False, new_state: bool = False
) -> SQLStore:
    from rasid.store import open_store

    url = config.storage.url.get_secret_value() if config.storage.url else None
    return open_store(config.state_dir, url, migrate=migrate, writable=writable, verify=verify, new_state=new_state)


def _where(config: Config) -> str:
    if config.storage.url:
        return redact_url(config.storage.url.get_secret_value())
    return str(config.state_dir / _database_name())


def _database_name() -> str:
    from rasid.store import DATABASE_NAME

    return DATABASE_NAME


@contextmanager
def _state(config: Config) -> Iterator[Store]:
    """The state database of `config` for a command that mostly looks (read-only if it has to be),
    closed afterwards; SQLite errors become one `StateError` line."""
    import sqlite3

    from rasid.store import DATABASE_NAME
    from rasid.store.database import sqlite_error

    store = _open_store(config, writable=False)
    try:
        yield store
    except sqlite3.Error as exc:
        raise sqlite_error(config.state_dir / DATABASE_NAME, exc) from None
    finally:
        store.close()


def _config(args: argparse.Namespace, unneeded: Collection[str] = ()) -> tuple[Path, Config]:
    """The config a command was given; `unneeded`: sections whose secrets it can do without."""
    path = default_config_path(args.config)
    return path, load_config(path, unneeded=unneeded)


LOOKING = (*SENDING, "http")
"""What a command that reads the state and sends nothing can do without."""
MATCHING = (*LOOKING, "storage")
"""What a command that reads neither the state nor sends can do without."""


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from rasid.daemon import install_signal_handlers

    path = default_config_path(args.config)
    early: list[int] = []  # asked to stop while still starting (loading the config, checking the state)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _: early.append(signum))

    async def run(daemon: Daemon) -> None:
        stop = asyncio.Event()
        install_signal_handlers(stop)
        if early:  # start, then stop at once and cleanly: exit 0, as for a signal a moment later
            stop.set()
        loop = asyncio.get_running_loop()
        reloading = asyncio.Lock()  # one reload at a time, in the order the signals came
        reloads: set[asyncio.Task[bool]] = set()

        async def reload() -> bool:
            async with reloading:
                return await daemon.reload(lambda: load_config(path))

        def on_hangup() -> None:
            task = asyncio.create_task(reload())
            reloads.add(task)
            task.add_done_callback(reloads.discard)

        loop.add_signal_handler(signal.SIGHUP, on_hangup)
        pidfile = daemon.config.state_dir / PIDFILE
        pidfile.parent.mkdir(parents=True, exist_ok=True)
        pidfile.write_text(f"{os.getpid()}\n")
        try:
            await daemon.run(stop)
        finally:
            pidfile.unlink(missing_ok=True)

    return _with_daemon(args, run)


def _reload(args: argparse.Namespace) -> int:
    _, config = _config(args, LOOKING)
    pidfile = config.state_dir / PIDFILE
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError) as exc:
        print(f"no running rasid found through {pidfile}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 1
    print(f"asked rasid (pid {pid}) to reload {default_config_path(args.config)}")
    return 0


def _once(args: argparse.Namespace) -> int:
    return _with_daemon(args, lambda daemon: daemon.once())


def _with_daemon(args: argparse.Namespace, action: Callable[[Daemon], Awaitable[None]]) -> int:
    """Load the config, open the state, run `action` on a daemon, and close it all."""
    import asyncio

    from rasid.daemon import Daemon

    _, config = _config(args)
    configure_logging(config.log_level, config.log_format)

    async def main() -> None:
        # the integrity check reads the whole file once per start: 1.5 s for 1.8 GB when cached
        daemon = Daemon(config, _open_store(config, verify=True, new_state=args.new_state))
        try:
            await action(daemon)
        finally:
            await daemon.close()

    with _sole_writer(config):
        asyncio.run(main())
    return 0


@contextmanager
def _sole_writer(config: Config) -> Iterator[None]:
    """With SQLite, one process at a time runs the pipeline on a state directory: its
    near-duplicate index lives in that process's memory. (PostgreSQL state is shared.)"""
    if config.storage.url:
        yield
        return
    try:
        config.state_dir.mkdir(parents=True, exist_ok=True)
        lock = open(config.state_dir / WRITER_LOCK, "a+")
    except OSError as exc:
        from rasid.store import StateError

        raise StateError(f"{config.state_dir}: cannot write to the state directory: {exc.strerror or exc}") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            raise StateInUse(
                f"another rasid (pid {holder}) is running on {config.state_dir}; SQLite state takes one"
                " process at a time (several instances share a PostgreSQL database: storage.url)"
            ) from None
        except OSError as exc:  # a file system without locks (some NFS mounts): go on, unguarded
            print(f"warning: cannot lock {lock.name} ({exc.strerror}); run one rasid per state directory", file=sys.stderr)
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield


def _check(args: argparse.Namespace) -> int:
    path = default_config_path(args.config)
    outside_unit = not os.environ.get("CREDENTIALS_DIRECTORY")
    config = load_config(path, outside_unit=outside_unit)
    out = [f"{path}: OK", f"state: {_where(config)}"]
    unread = sorted(set(_CREDENTIAL.findall(path.read_text(encoding="utf-8")))) if outside_unit else []
    if unread:
        out.append(f"credentials not read here (no $CREDENTIALS_DIRECTORY; the unit reads them before each start): {', '.join(unread)}")
    feeds, folders = config.sources.feeds, config.sources.folders
    channels, sitemaps, pages = config.sources.telegram, config.sources.sitemaps, config.sources.pages
    if args.online:
        out += _sources_read_online(config)
    out.append(f"sources ({len(feeds) + len(channels) + len(sitemaps) + len(pages) + len(folders)}):")
    out += [f"  feed    {f.name:<20} every {format_duration(f.interval):<6} {redact_url(f.url)}" for f in feeds]
    out += [f"  channel {t.name:<20} every {format_duration(t.interval):<6} @{t.channel} ({t.url})" for t in channels]
    out += [f"  sitemap {m.name:<20} every {format_duration(m.interval):<6} {redact_url(m.url)}" for m in sitemaps]
    out += [f"  page    {g.name:<20} every {format_duration(g.interval):<6} {redact_url(g.url)} ({g.item})" for g in pages]
    out += [f"  folder  {f.name:<20} every {format_duration(f.interval):<6} {f.path}" for f in folders]
    out.append(f"watch-lists ({len(config.watchlists)}):")
    all_notifiers = [n.name for n in config.notifiers]
    for wl in config.watchlists:
        targets = ", ".join(wl.notify if wl.notify is not None else all_notifiers) or "-"
        out.append(
            f"  {wl.name:<20} match {wl.match:<4} places {len(wl.places):<4} keywords {len(wl.keywords):<4}"
            f" exclude {len(wl.exclude):<3} -> {targets}"
        )
    out.append(f"notifiers ({len(config.notifiers)}):")
    for n in config.notifiers:
        if isinstance(n, WebhookNotifier):
            where = _redacted_url(n.url) if n.enabled else "disabled (url is empty)" if not unread else "url empty, or not read here"
            signed = ", signed" if n.secret and n.secret.get_secret_value() else ""
            out.append(f"  {n.name:<20} webhook  {where}{signed}")
        else:
            out.append(f"  {n.name:<20} {n.type}")
    print("\n".join(out))
    return 0


_CREDENTIAL = re.compile(r"\$\{credential:([^}]+)\}")


def _redacted_url(url: str) -> str:
    """Scheme and host only: webhook paths often carry tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…"


def _archived_since(config: Config, since: str) -> list[ArchivedReport]:
    import time

    from rasid.config import parse_duration

    with _state(config) as store:
        return list(store.archived(time.time() - parse_duration(since)))


def _replay(args: argparse.Namespace) -> int:
    from rasid.match import build_matcher
    from rasid.replay import replay

    _, config = _config(args, LOOKING)
    reports = _archived_since(config, args.since)
    results = replay(build_matcher(config.watchlists, config.gazetteer.places), reports)
    if args.watchlist:
        if args.watchlist not in results:
            print(f"no watch-list named {args.watchlist!r}", file=sys.stderr)
            return 1
        results = {args.watchlist: results[args.watchlist]}
    for name, fired in results.items():
        if args.json:
            print(json.dumps({"watchlist": name, "fired": len(fired), "reports": [f.to_json() for f in fired]}, ensure_ascii=False))
            continue
        print(f"{name}: {len(fired)} of {len(reports)} archived reports would have fired")
        for f in fired:
            row = f.to_json()
            print(f"  {f.report.id:>6}  {row['first_seen']}  {f.report.source}  {f.report.title}  [{'، '.join(f.terms)}]")
    return 0


def _diff_config(args: argparse.Namespace) -> int:
    from rasid.match import build_matcher
    from rasid.replay import diff, replay

    old, new = load_config(args.old, unneeded=LOOKING), load_config(args.new, unneeded=LOOKING)
    reports = _archived_since(new, args.since)
    differences = diff(
        replay(build_matcher(old.watchlists, old.gazetteer.places), reports),
        replay(build_matcher(new.watchlists, new.gazetteer.places), reports),
    )
    for d in differences:
        if args.json:
            print(json.dumps({"watchlist": d.watchlist, "added": [f.to_json() for f in d.added],
                              "dropped": [f.to_json() for f in d.dropped]}, ensure_ascii=False))  # fmt: skip
            continue
        print(f"{d.watchlist}: +{len(d.added)} -{len(d.dropped)} of {len(reports)} archived reports")
        for sign, items in (("+", d.added), ("-", d.dropped)):
            for f in items:
                print(f"  {sign} {f.report.source}  {f.report.title}  [{'، '.join(f.surfaces)}]")
    return 0


def _explain(args: argparse.Namespace) -> int:

    from rasid.explain import print_explanation
    from rasid.match import build_matcher

    _, config = _config(args, LOOKING)
    with _state(config) as store:
        report = _archived_report(store, config, args.report)
    if report is None:
        print(
            f"no archived report {args.report!r} (give a report number, URL, alert_… or story_… id, or"
            " a watched file's path; reports are archived for `archive.keep`)",
            file=sys.stderr,
        )
        return 1
    seen = datetime.fromtimestamp(report.first_seen, timezone.utc).isoformat(timespec="seconds")
    print(f"report {report.id}: {report.title}\n  {report.source} · {report.url or '-'} · first seen {seen}")
    verdicts = build_matcher(config.watchlists, config.gazetteer.places).verdicts(report.text)
    print_explanation(f"report {report.id}", report.text, verdicts)
    return 0


def _archived_report(store: Store, config: Config, ref: str) -> ArchivedReport | None:
    """The archived report `ref` names: a number, URL, alert or story id, or the path of a file
    in one of the config's folders."""
    report = store.archived_report(ref)
    if report is not None or "://" in ref:
        return report
    path = Path(ref).absolute()
    for folder in config.sources.folders:
        root = folder.path.absolute()
        if path.is_relative_to(root):
            report = store.archived_file(folder.name, path.relative_to(root).as_posix())
            if report is not None:
                return report
    return None


def _migrate(args: argparse.Namespace) -> int:
    _, config = _config(args, LOOKING)
    store = _open_store(config, migrate=False, verify=True)
    try:
        before, after = store.migrate()
    finally:
        store.close()
    if before == after:
        print(f"{_where(config)}: schema at version {after}, nothing to do")
    else:
        print(f"{_where(config)}: schema migrated from version {before or 'none'} to {after}")
    return 0


def _status(args: argparse.Namespace) -> int:
    """Sources, outbox and stories at a glance."""
    import time

    from rasid.config import format_duration

    _, config = _config(args, LOOKING)
    pidfile = config.state_dir / PIDFILE
    running = "not running"
    if pidfile.exists():
        try:
            pid = int(pidfile.read_text().strip())
            os.kill(pid, 0)
            running = f"running (pid {pid})"
        except (OSError, ValueError):
            running = "not running (stale pid file)"
    with _state(config) as store:
        counts = store.outbox_counts()
        per_notifier = store.outbox_by_notifier()
        oldest = store.oldest_pending()
        stories = store.stories(time.time() - 86400, limit=10_000)
        instances = store.instances(time.time(), config.storage.lease_ttl) if store.shared else []
    if store.shared:
        print(f"rasid: {len(instances)} live instance{'s' if len(instances) != 1 else ''}; state {_where(config)}")
        for i in instances:
            shown = ", ".join(i.leases[:8]) + (f", ... ({len(i.leases)})" if len(i.leases) > 8 else "")
            print(f"  {i.id}: since {when(i.started)}, seen {when(i.seen)}, {len(i.leases)} leases: {shown or '-'}")
    else:
        made = (config.state_dir / _database_name()).exists()
        print(f"rasid: {running}; state {_where(config)}{'' if made else ' (none yet: nothing has run here)'}")
    age = f", oldest {format_duration(round(time.time() - oldest))}" if oldest else ""
    print(f"outbox: pending {counts['pending']}{age}, delivered {counts['delivered']}, dead {counts['dead']}")
    for name, c in sorted(per_notifier.items()):
        print(f"  {name}: pending {c['pending']}, delivered {c['delivered']}, dead {c['dead']}, attempts {c['attempts']}")
    carried = sum(1 for s in stories if len(s.sources) > 1)
    print(f"stories in the last day: {len(stories)} ({carried} carried by more than one source)")
    print("sources:")
    return _sources(args)


def _outbox(args: argparse.Namespace) -> int:
    import time

    from rasid.config import parse_duration

    _, config = _config(args, LOOKING)
    now = time.time()
    with _state(config) as store:
        if args.action == "retry":
            if not args.ids and not args.all and not args.pending:
                print("outbox retry: name alert ids, or give --all or --pending", file=sys.stderr)
                return 2
            if args.pending:
                count = store.hasten(now)
                print(f"{count} pending deliver{'y' if count == 1 else 'ies'} due now (the running daemon sends them within its interval)")
            if args.ids or args.all:
                count = store.requeue(None if args.all else args.ids, now)
                print(f"{count} dead deliver{'y' if count == 1 else 'ies'} requeued")
            return 0
        if args.action == "purge":
            if not args.older:
                print("outbox purge: give --older, e.g. --older 30d", file=sys.stderr)
                return 2
            count = store.purge(now - parse_duration(args.older))
            print(f"{count} delivered or dead row{'s' if count != 1 else ''} purged")
            return 0
        rows = store.outbox_rows(("pending", "dead"), limit=1000)
        counts = store.outbox_counts()
        per_notifier = store.outbox_by_notifier()


    for r in rows:
        what = r.document.get("report", {}).get("title") or r.document.get("notifier") or ""
        # the worker acts on a row by its max_age at the latest (older versions stored waits up to infinity)
        next_attempt = when(min(r.next_attempt, r.created + config.delivery.max_age))
        if args.json:
            print(json.dumps({"id": r.alert_id, "notifier": r.notifier, "status": r.status, "type": r.document.get("type"),
                              "attempts": r.attempts, "created": when(r.created), "next_attempt": next_attempt,
                              "last_error": r.last_error, "title": what}, ensure_ascii=False))  # fmt: skip
        else:
            due = f"next {next_attempt}" if r.status == "pending" else "dead"
            print(f"{r.alert_id}  {r.notifier}  {r.status}  attempts {r.attempts}  {due}  {r.last_error or '-'}  {what}")
    if not args.json:
        for name, c in sorted(per_notifier.items()):
            print(f"  {name}: pending {c['pending']}, delivered {c['delivered']}, dead {c['dead']}, attempts {c['attempts']}")
        print(f"pending {counts['pending']}, delivered {counts['delivered']}, dead {counts['dead']}")
    return 0


def _sources(args: argparse.Namespace) -> int:
    action = getattr(args, "action", "list")  # `rasid status` shows this table too
    if action == "discover":
        return _discover(args.site)
    if action == "try":
        return _try_source(args)
    _, config = _config(args, LOOKING)
    with _state(config) as store:
        states = store.feed_states()
    rows = source_rows(config, states)
    if getattr(args, "json", False):
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    header = ("source", "kind", "last poll", "last success", "status", "items", "errors", "item errors", "next poll", "disabled")
    table = [header] + [
        (r["source"], r["kind"], r["last_poll"], r["last_success"], _shortened(str(r["status"]), 48), str(r["new_items"]),
         str(r["errors"]), str(r["item_errors"]), r["next_poll"], r["disabled"] or "") for r in rows
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


DISCOVERY_BYTES = 2_000_000
"""Bytes of any one answer read while discovering."""


def _capped_get(client: httpx.Client) -> Callable[[str], tuple[int, str, bytes, str]]:
    """A GET that reads at most `DISCOVERY_BYTES` of an answer: its status, content type, body
    and final address; `OSError` when it cannot."""
    import httpx

    def get(url: str) -> tuple[int, str, bytes, str]:
        try:
            with client.stream("GET", url) as answer:
                body = bytearray()
                for chunk in answer.iter_bytes():
                    body += chunk
                    if len(body) > DISCOVERY_BYTES:
                        break
                return answer.status_code, answer.headers.get("content-type", ""), bytes(body[:DISCOVERY_BYTES]), str(answer.url)
        except httpx.HTTPError as exc:
            raise OSError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) from exc

    return get


def _sources_read_online(config: Config) -> list[str]:
    """A warning for each feed, channel, sitemap and listing page that does not read as configured."""
    import time

    import httpx

    from rasid.sources.feeds import USER_AGENT
    from rasid.sources.listing import Selectors
    from rasid.sources.trying import source_problem

    s = config.sources
    remote = [
        *(("feed", f, None) for f in s.feeds), *(("telegram", t, None) for t in s.telegram),
        *(("sitemap", m, None) for m in s.sitemaps),
        *(("page", g, Selectors(g.item, g.title, g.link, g.date, g.text)) for g in s.pages),
    ]  # fmt: skip
    out = []
    with httpx.Client(headers={"user-agent": USER_AGENT}, timeout=10, follow_redirects=True) as client:
        get = _capped_get(client)
        for kind, source, chosen in remote:
            try:
                status, content_type, body, _ = get(str(source.url))
            except OSError as exc:
                out.append(f"warning: {kind} {source.name}: not reached ({type(exc.__cause__ or exc).__name__})")  # no URL: it may hold a secret
                continue
            problem = source_problem(kind, status, content_type, body, str(source.url), chosen, time.time())
            if problem:
                out.append(f"warning: {kind} {source.name}: {problem}")
    return out


def _try_source(args: argparse.Namespace) -> int:
    """What a source at `args.site` would read: a feed, a sitemap or a Telegram channel's preview
    as it is, a listing page with the selectors given."""
    import time

    import httpx

    from rasid.sources.feeds import USER_AGENT
    from rasid.sources.listing import Selectors, selector
    from rasid.sources.trying import read_as_source

    if not args.site or not args.site.startswith(("http://", "https://")):
        print("sources try: give the address to read (and for a listing page --item, --title, --link, --date, --text)", file=sys.stderr)
        return 2
    given = (args.item, args.title, args.link, args.date, args.text)
    try:
        for css in filter(None, given):
            selector(css)
    except ValueError as exc:
        print(f"sources try: {exc}", file=sys.stderr)
        return 2
    try:
        with httpx.Client(headers={"user-agent": USER_AGENT}, timeout=15, follow_redirects=True) as client:
            status, content_type, body, url = _capped_get(client)(args.site)
    except OSError as exc:
        print(f"sources try: {args.site}: {exc}", file=sys.stderr)
        return 1
    if status >= 400:
        print(f"sources try: {args.site}: answers HTTP {status}", file=sys.stderr)
        return 1
    chosen = Selectors(*given) if args.item else None
    tried = read_as_source(body, content_type, url, chosen, time.time())
    if tried.parsed.problem:
        print(f"sources try: {tried.parsed.problem}", file=sys.stderr)
        return 1
    for e in tried.parsed.entries:
        print(f"{e.published.isoformat() if e.published else '-'}  {e.title}\n    {e.url or '-'}\n    {_shortened(' '.join(e.text.split()), 120)}")
    for f in tried.parsed.failures:
        print(f"skipped {f.item}: {f.error}")
    for child in tried.children:
        print(f"sitemap {child}")
    what = {"page": "items", "telegram": "posts", "sitemap": "pages", "feed": "entries"}[tried.kind]
    listed = f", {len(tried.children)} sitemaps" if tried.children else ""
    print(f"{len(tried.parsed.entries)} {what}{listed}: read as {_TRIED_AS[tried.kind]}")
    return 0


_TRIED_AS = {"page": "a listing page", "telegram": "a Telegram channel's preview", "sitemap": "a sitemap", "feed": "a feed"}


def _discover(site: str | None) -> int:
    import httpx

    from rasid.sources.discovery import config_lines, discover
    from rasid.sources.feeds import USER_AGENT

    if not site or not site.startswith(("http://", "https://")):
        print("sources discover: give a site's address, e.g. https://www.example.com", file=sys.stderr)
        return 2
    with httpx.Client(headers={"user-agent": USER_AGENT}, timeout=15, follow_redirects=True) as client:
        get = _capped_get(client)
        found = discover(site, lambda url: get(url)[:3])
    if not found:
        print(f"no feed or sitemap found for {site}", file=sys.stderr)
        return 1
    print("sources:")
    print("\n".join(config_lines(site, found)))
    return 0


def _shortened(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut at a word with an ellipsis."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width)
    return text[: cut if cut > width // 2 else width - 1].rstrip() + "…"


def _stories(args: argparse.Namespace) -> int:
    import time

    from rasid.config import parse_duration

    _, config = _config(args, LOOKING)
    with _state(config) as store:
        rows = store.stories(time.time() - parse_duration(args.since), limit=500)


    for story in rows:
        if args.json:
            print(json.dumps(story.to_json(), ensure_ascii=False))
            continue
        alerted = f"alerted {', '.join(story.alerted)}" if story.alerted else "no alert"
        print(f"{when(story.created)}  {story.id}  {len(story.sources)} source{'s' if len(story.sources) != 1 else ''}  {alerted}  {story.title}")
        for s in story.sources:
            similar = f"  ({s.similarity:.2f})" if s.similarity is not None else ""
            print(f"    {when(s.seen)}  {s.source}  {s.url or s.title}{similar}")
    if not rows and not args.json:
        print(f"no stories in the last {args.since}")
    return 0


def _gazetteer(args: argparse.Namespace) -> Gazetteer:
    from rasid.match import gazetteer_with

    custom = []
    if args.config or os.environ.get("RASID_CONFIG") or Path("config.yaml").exists():
        custom = _config(args, MATCHING)[1].gazetteer.places
    return gazetteer_with(custom)


def _place_json(p: Place) -> str:
    arabic = p.all_spellings[: len(p.arabic)]
    row = {"id": p.id, "kind": p.kind, "country": p.country, "admin1": p.admin1, "population": p.population, "name": p.name,
           "latin": p.latin, "lat": p.lat, "lon": p.lon, "arabic": arabic, "latin_names": list(p.latin_names),
           "everyday": sorted(p.everyday), "members": list(p.members)}  # fmt: skip
    return json.dumps(row, ensure_ascii=False)


def _place_line(p: Place) -> str:
    where = p.admin1 if "-" in p.admin1 else f"{p.country}-{p.admin1}" if p.admin1 else p.country or " ".join(p.members[:6])
    point = f"  {p.lat:.3f},{p.lon:.3f}" if p.lat is not None and p.lon is not None else ""
    return f"{p.name}  ({p.latin})  {p.kind} {where}  population {p.population:,}{point}  #{p.id}"


def _places_search(args: argparse.Namespace) -> int:
    found = _gazetteer(args).search(args.name)
    if not found:
        print(f"no place called {args.name!r}", file=sys.stderr)
        return 1
    for p in found:
        if args.json:
            print(_place_json(p))
            continue
        print(_place_line(p))
        print(f"    arabic: {'، '.join(p.all_spellings[: len(p.arabic)])}")
        if p.latin_names:
            print(f"    latin: {', '.join(p.latin_names[:8])}{' …' if len(p.latin_names) > 8 else ''}")
        if p.everyday:
            print(f"    everyday words (matched only with evidence): {'، '.join(sorted(p.everyday))}")
    return 0


def _places_list(args: argparse.Namespace) -> int:
    from collections import Counter

    from rasid.match.gazetteer.places import KIND_RANK

    if (args.within is None) == (args.gazetteer is None):
        print("give exactly one of --within or --gazetteer", file=sys.stderr)
        return 2
    gazetteer = _gazetteer(args)
    places = gazetteer.within(args.within) if args.within else gazetteer.in_country(args.gazetteer)
    if args.within and (others := gazetteer.other_areas(args.within)):
        print(f"note: {ambiguous_area(args.within, [gazetteer.areas(args.within)[0], *others])}; listing the first", file=sys.stderr)
    places = [p for p in places if p.kind != "locality" or p.population >= args.min_population]
    if not places:
        print(f"the gazetteer knows no country, division or region called {args.within or args.gazetteer!r}", file=sys.stderr)
        return 1
    for p in places:
        print(_place_json(p) if args.json else _place_line(p))
    if not args.json:
        kinds = Counter(p.kind for p in places)
        print(f"{len(places)} place{'s' if len(places) != 1 else ''}: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kn: KIND_RANK.get(kn[0], 9))), file=sys.stderr)
    return 0


def _reference(args: argparse.Namespace) -> int:
    from rasid.config.reference import reference_markdown

    print(reference_markdown(), end="")
    return 0


MATCH_MAX_BYTES = 10_000_000
"""`rasid match` refuses a larger input, as folders do by default (`max_bytes`)."""


class _TooLong(Exception):
    """An input longer than `MATCH_MAX_BYTES`."""


def _read_bounded(name: str) -> bytes:
    """The bytes of file `name` (`-`: standard input), at most `MATCH_MAX_BYTES` of them."""
    if name == "-":
        data = sys.stdin.buffer.read(MATCH_MAX_BYTES + 1)
    else:
        with open(name, "rb") as f:
            data = f.read(MATCH_MAX_BYTES + 1)
    if len(data) > MATCH_MAX_BYTES:
        raise _TooLong(name)
    return data


def _match(args: argparse.Namespace) -> int:
    from rasid.explain import print_explanation
    from rasid.match import build_matcher
    from rasid.sources.decode import BinaryContent, decode_text

    with collector_paused(kept=True):
        _, config = _config(args, MATCHING)
        matcher = build_matcher(config.watchlists, config.gazetteer.places)
    status = 0
    for name in args.files:
        try:
            data = _read_bounded(name)
            text = decode_text(data)
        except OSError as exc:
            print(f"{name}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            status = 1
            continue
        except BinaryContent as exc:
            print(f"{name}: not text ({exc}), not matched", file=sys.stderr)
            status = 1
            continue
        except _TooLong:
            print(f"{name}: larger than {MATCH_MAX_BYTES:,} bytes, not matched", file=sys.stderr)
            status = 1
            continue
        verdicts = matcher.verdicts(text)
        if args.json:
            alerts = [
                {"watchlist": v.watchlist, "matches": [m.to_json() for m in v.matches]} for v in verdicts if v.fired
            ]
            print(json.dumps({"file": name, "alerts": alerts}, ensure_ascii=False))
        else:
            print_explanation(name, text, verdicts)
    return status
