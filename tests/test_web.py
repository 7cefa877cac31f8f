"""The daemon's HTTP side, against `rasid run` as a subprocess: the alerts API with its cursor,
the Atom feeds a reader takes, and alerts kept off an address that is not loopback."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import feedparser
from support import clean_env, free_port

REPORTS = {
    "a.txt": "قصف على درعا\nقصفت مدفعية النظام أحياء درعا البلد مساء اليوم.",
    "b.txt": "اشتباكات في جاسم\nاندلعت اشتباكات عنيفة في مدينة جاسم بريف درعا.",
    "c.txt": "غارة على تعز\nشنت طائرات غارة على مواقع في مدينة تعز.",
}


def start(folder: Path, listen: str, extra_notifier: str = "", http: str = "", feed: str = "") -> subprocess.Popen[str]:
    """`rasid run` on a folder of three reports (and on `feed`, a feed's URL, if given)."""
    (folder / "inbox").mkdir()
    feeds = f', feeds: [{{name: wire, url: "{feed}", interval: 1s}}]' if feed else ""
    (folder / "config.yaml").write_text(
        f'http: {{listen: "{listen}"{http}}}\n'
        f"sources: {{folders: [{{name: inbox, path: ./inbox, interval: 1s, settle: 0s}}]{feeds}}}\n"
        "watchlists:\n"
        "  - {name: south, places: [درعا, جاسم], keywords: [قصف, اشتباك*]}\n"
        "  - {name: yemen, places: [تعز], keywords: [غارة]}\n"
        f"notifiers: [{{name: log, type: console}}{', ' + extra_notifier if extra_notifier else ''}]\n",
        encoding="utf-8",
    )
    for name, text in REPORTS.items():
        (folder / "inbox" / name).write_text(text, encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=folder, env=clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read(), answer.headers.get("content-type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("content-type", "")
    except OSError:
        return 0, b"", ""


def wait_for_alerts(base: str, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status, body, _ = get(f"{base}/api/alerts")
        if status == 200 and len(json.loads(body)["alerts"]) >= count:
            return json.loads(body)["alerts"]
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} alerts at {base}")


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return err


def test_the_alerts_api_pages_with_a_cursor_and_filters(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(tmp_path, f"127.0.0.1:{port}")
    try:
        alerts = wait_for_alerts(base, 3)
        assert {a["watchlist"] for a in alerts} == {"south", "yemen"}  # type: ignore[index]
        assert [a["created_at"] for a in alerts] == sorted((a["created_at"] for a in alerts), reverse=True)  # type: ignore[index]
        first = alerts[0]
        assert set(first) >= {"id", "watchlist", "report", "matches", "snippet", "story"}
        pages, cursor = [], ""
        while True:
            status, body, kind = get(f"{base}/api/alerts?limit=1{cursor}")
            assert status == 200 and kind.startswith("application/json")
            page = json.loads(body)
            pages += [a["id"] for a in page["alerts"]]
            if page["next"] is None:
                break
            cursor = "&before=" + urllib.request.quote(page["next"])
        assert pages == [a["id"] for a in alerts]  # type: ignore[index]
        status, body, _ = get(f"{base}/api/alerts?watchlist=yemen")
        (only,) = json.loads(body)["alerts"]
        assert only["report"]["title"] == "غارة على تعز"
        assert get(f"{base}/api/alerts?limit=0")[0] == 400 and get(f"{base}/api/alerts?before=x")[0] == 400

        def titles(query: str) -> set[str]:
            status, body, _ = get(f"{base}/api/alerts?{query}")
            assert status == 200, body
            return {a["report"]["title"] for a in json.loads(body)["alerts"]}

        quote = urllib.request.quote
        # درعا is also a governorate: its name or any place filed under it
        assert titles(f"place={quote('درعا')}") == {"قصف على درعا", "اشتباكات في جاسم"}
        assert titles(f"place={quote('جاسم')}&keyword={quote('اشتباك')}") == {"اشتباكات في جاسم"}
        assert titles(f"keyword={quote('غارة')}") == {"غارة على تعز"}
        assert len(titles("since=1h&state=delivered&notifier=log")) == 3
        assert titles("state=dead") == set() and titles("until=2000-01-01") == set()
        assert get(f"{base}/api/alerts?state=lost")[0] == 400 and get(f"{base}/api/alerts?since=soon")[0] == 400
        status, body, kind = get(f"{base}/api/places.geojson")
        assert status == 200 and kind.startswith("application/geo+json")
        points = {f["properties"]["name"]: f for f in json.loads(body)["features"]}
        assert set(points) == {"درعا", "جاسم", "تعز"}  # listed by name: placed by the gazetteer's point
        lon, lat = points["تعز"]["geometry"]["coordinates"]
        assert 13 < lat < 14.2 and 43.5 < lon < 44.5 and points["درعا"]["properties"]["alerts"] == 2
        stories, cursor = [], ""
        while True:
            status, body, _ = get(f"{base}/api/stories?limit=2{cursor}")
            page = json.loads(body)
            stories += page["stories"]
            if page["next"] is None:
                break
            cursor = "&before=" + quote(page["next"])
        assert len(stories) == 3 and len({s["id"] for s in stories}) == 3
        assert {s["title"] for s in stories} == {text.split("\n")[0] for text in REPORTS.values()}
        assert all(s["sources"][0]["source"] == "inbox" and s["alerted"] for s in stories)
        (inbox,) = json.loads(get(f"{base}/api/sources")[1])["sources"]
        assert inbox["source"] == "inbox" and inbox["kind"] == "folder" and inbox["status"] != "-"
    finally:
        err = stop(proc)
    assert "uvicorn" not in err.lower()  # its own lines stay out of rasid's log at info


def test_alerts_read_as_atom_feeds_per_watch_list(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(tmp_path, f"127.0.0.1:{port}")
    try:
        wait_for_alerts(base, 3)
        status, body, kind = get(f"{base}/alerts.atom")
        assert status == 200 and kind.startswith("application/atom+xml")
        every = feedparser.parse(body)
        assert not every.bozo and len(every.entries) == 3
        assert {e.title for e in every.entries} == {text.split("\n")[0] for text in REPORTS.values()}
        status, body, _ = get(f"{base}/watchlists/south.atom")
        south = feedparser.parse(body)
        assert {e.title for e in south.entries} == {"قصف على درعا", "اشتباكات في جاسم"}
        entry = next(e for e in south.entries if e.title == "قصف على درعا")
        assert entry.id.startswith("urn:rasid:alert_") and 'dir="rtl"' in entry.content[0].value
        assert "الأماكن: درعا" in entry.content[0].value and "الكلمات: قصف" in entry.content[0].value
    finally:
        stop(proc)


def test_alerts_stay_off_an_address_that_is_not_loopback(tmp_path: Path) -> None:
    """Health and metrics are served wherever `http.listen` says (a container's probe needs
    them); the alerts only on a loopback address."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(tmp_path, f"0.0.0.0:{port}")
    try:
        deadline = time.monotonic() + 30
        while get(f"{base}/healthz")[0] != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert get(f"{base}/metrics")[0] == 200
        status, body, _ = get(f"{base}/api/alerts")
        assert status == 403 and "loopback" in json.loads(body)["error"]
        assert get(f"{base}/alerts.atom")[0] == 403
    finally:
        stop(proc)


def test_the_console_marks_whole_matched_words_only_and_escapes_the_rest() -> None:
    from rasid.delivery.formats.html import highlight

    shown = str(highlight("قصف على درعا وقصفت <b>الطائرات</b> ريف درعا", ["قصف", "درعا"]))
    assert shown.count("<mark>درعا</mark>") == 2 and "<mark>قصف</mark> على" in shown
    assert "وقصفت" in shown and "&lt;b&gt;" in shown and "<b>" not in shown


def test_a_page_on_another_domain_pointed_at_127_0_0_1_gets_nothing(tmp_path: Path) -> None:
    """DNS rebinding: a browser asking 127.0.0.1 for a page of evil.example names that host,
    and gets no alert; the machine's own names get them."""
    import http.client

    port = free_port()
    proc = start(tmp_path, f"127.0.0.1:{port}")
    try:
        wait_for_alerts(f"http://127.0.0.1:{port}", 3)
        for host, status in (("evil.example", 421), (f"evil.example:{port}", 421), (f"localhost:{port}", 200), (f"127.0.0.1:{port}", 200)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/api/alerts", headers={"Host": host})
            answer = connection.getresponse()
            assert answer.status == status, host
            body = answer.read().decode()
            assert ("قصف على درعا" in body) == (status == 200)
            connection.close()
    finally:
        stop(proc)


def test_the_map_joins_places_too_close_to_tell_apart_and_zooms_to_fit() -> None:
    from rasid.store import PlaceCount
    from rasid.web.map_view import ARAB_WORLD, circles, view_of

    daraa = PlaceCount("SY-DR", "درعا", 32.62, 36.10, 5, 1.0)
    jasim = PlaceCount("165997", "جاسم", 32.99, 36.06, 2, 1.0)
    taiz = PlaceCount("70225", "تعز", 13.58, 44.02, 1, 1.0)
    wide = view_of([daraa, jasim, taiz])
    assert wide.west < 36.06 and wide.east > 44.02 and wide.south < 13.58 and wide.north > 32.99
    (south, yemen) = circles([taiz, jasim, daraa], wide)  # the larger first; جاسم is 40 km from درعا
    assert [p.name for p in south.places] == ["درعا", "جاسم"] and south.alerts == 7 and yemen.places == (taiz,)
    close = view_of([daraa, jasim], asked=(35.9, 32.5, 36.3, 33.1))  # a cluster's own box: now apart
    assert len(circles([daraa, jasim, taiz], close)) == 2  # تعز is outside it
    assert view_of([]).west < ARAB_WORLD[0] and view_of([]).east > ARAB_WORLD[2]
