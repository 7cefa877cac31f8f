"""Who may use the console once it listens beyond this machine: people signed in by password
(session or HTTP Basic) or by a trusted proxy's header, read-only people who change nothing,
and no secret of the config in any answer. Against `rasid run` as a subprocess."""

from __future__ import annotations

import base64
import http.client
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from argon2 import PasswordHasher
from support import clean_env, free_port

HASHER = PasswordHasher(time_cost=1, memory_cost=8192)
PASSWORDS = {"amal": "تعز-في-القلب-2026", "rami": "read only please"}
WEBHOOK_SECRET = "whsec_c2VjcmV0LW5ldmVyLXNob3du"
FEED_TOKEN = "token-never-shown-7c1f"


def start(folder: Path, port: int, proxy: str = "") -> subprocess.Popen[str]:
    (folder / "inbox").mkdir()
    (folder / "inbox" / "a.txt").write_text("قصف على درعا\nقصفت مدفعية النظام أحياء درعا البلد.", encoding="utf-8")
    hashes = {name: HASHER.hash(password) for name, password in PASSWORDS.items()}
    (folder / "config.yaml").write_text(
        f'http:\n  listen: "0.0.0.0:{port}"\n'
        "  users:\n"
        "    - {name: amal, password_hash: \"${AMAL_HASH}\"}\n"
        f"    - {{name: rami, password_hash: '{hashes['rami']}', read_only: true}}\n"
        f"{proxy}"
        "sources:\n"
        "  folders: [{name: inbox, path: ./inbox, interval: 1s, settle: 0s}]\n"
        f"  feeds: [{{name: wire, url: 'http://127.0.0.1:9/feed', interval: 1h, headers: {{Authorization: 'Bearer {FEED_TOKEN}'}}}}]\n"
        "watchlists:\n  - {name: south, places: [درعا], keywords: [قصف]}\n"
        "notifiers:\n  - {name: log, type: console}\n"
        f"  - {{name: hook, type: webhook, url: 'http://127.0.0.1:9/hook', secret: '{WEBHOOK_SECRET}'}}\n",
        encoding="utf-8",
    )
    env = {**clean_env(), "AMAL_HASH": hashes["amal"]}
    return subprocess.Popen([sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


class Browser:
    """Requests to 127.0.0.1:port keeping cookies, as a browser would."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:  # fmt: skip
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(form) if form is not None else None
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        answer = connection.getresponse()
        text = answer.read().decode("utf-8", "replace")
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookie = rest.split(";")[0]
                if cookie in ("", '""') or "max-age=0" in value.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie
        headers_out = {k.lower(): v for k, v in answer.getheaders()}
        connection.close()
        return answer.status, headers_out, text

    def token(self, path: str = "/login") -> str:
        status, _, page = self.request("GET", path)
        assert status == 200, page
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found, page
        return found.group(1)

    def sign_in(self, name: str, password: str) -> int:
        status, headers, _ = self.request("POST", "/login", {"csrf": self.token(), "name": name, "password": password, "next": "/"})
        return status


def basic(name: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{password}".encode()).decode()}


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            status, _, body = Browser(port).request("GET", "/api/alerts", headers=basic("amal", PASSWORDS["amal"]))
        except OSError:
            status, body = 0, ""
        if status == 200 and json.loads(body)["alerts"]:
            return
        assert time.monotonic() < deadline, (status, body)
        time.sleep(0.3)


def stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return out + err


def test_people_sign_in_and_read_only_people_change_nothing(tmp_path: Path) -> None:
    port = free_port()
    proc = start(tmp_path, port)
    try:
        wait_ready(port)
        stranger = Browser(port)
        status, headers, _ = stranger.request("GET", "/?place=%D8%AF%D8%B1%D8%B9%D8%A7")
        assert status == 303 and headers["location"] == "/login?next=%2F%3Fplace%3D%25D8%25AF%25D8%25B1%25D8%25B9%25D8%25A7"
        status, headers, _ = stranger.request("GET", "/alerts.atom")
        assert status == 401 and headers["www-authenticate"].startswith("Basic")
        assert stranger.request("GET", "/api/alerts", headers=basic("amal", "wrong"))[0] == 401
        assert stranger.request("GET", "/api/alerts", headers=basic("nobody", "wrong"))[0] == 401
        assert stranger.request("GET", "/healthz")[0] == 200 and stranger.request("GET", "/metrics")[0] == 200
        assert stranger.sign_in("amal", "wrong") == 401 and "rasid_session" not in stranger.cookies

        amal = Browser(port)
        assert amal.sign_in("amal", PASSWORDS["amal"]) == 303
        status, _, page = amal.request("GET", "/")
        assert status == 200 and "قصف على درعا" in page and "amal" in page
        alert_id = re.search(r'id="(alert_[0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        triage = {"csrf": amal.token("/"), "verdict": "useful", "note": "مؤكد"}
        assert amal.request("POST", f"/alerts/{alert_id}/verdict", triage)[0] == 303
        status, _, body = amal.request("GET", "/api/verdicts")
        assert json.loads(body)["verdicts"][0]["note"] == "مؤكد"

        rami = Browser(port)
        assert rami.sign_in("rami", PASSWORDS["rami"]) == 303
        status, _, page = rami.request("GET", "/outbox")
        assert status == 200 and 'action="/outbox/retry"' not in page and "rami" in page
        token = rami.token("/")
        assert rami.request("POST", "/outbox/retry", {"csrf": token, "do": "retry"})[0] == 403
        assert rami.request("POST", "/outbox/purge", {"csrf": token, "do": "purge"})[0] == 403
        assert rami.request("POST", f"/alerts/{alert_id}/verdict", {**triage, "csrf": token, "verdict": "false_positive"})[0] == 403
        assert rami.request("POST", "/try", {"csrf": token, "text": "قصف على درعا"})[0] == 200  # trying changes nothing
        assert rami.request("GET", "/api/alerts", headers=basic("rami", PASSWORDS["rami"]))[0] == 200

        guesser = Browser(port)
        answers = [guesser.sign_in("amal", f"guess {i}") for i in range(8)]
        assert answers == [401] * 7 + [429]  # ten wrong ones from this address (three above), then it waits
        assert guesser.request("GET", "/api/alerts", headers=basic("amal", PASSWORDS["amal"]))[0] == 401

        assert amal.request("POST", "/logout", {"csrf": amal.token("/")})[0] == 303
        assert amal.request("GET", "/")[0] == 303  # the session is gone from the state, not only the cookie
        for page_path in ("/", "/sources", "/outbox", "/map", "/try", "/api/alerts", "/alerts.atom", "/api/places.geojson"):
            status, _, text = rami.request("GET", page_path)
            assert status == 200, page_path
            for secret in (WEBHOOK_SECRET, FEED_TOKEN, "$argon2", "127.0.0.1:9/hook"):
                assert secret not in text, (page_path, secret)
    finally:
        log = stop(proc)
    for secret in (*PASSWORDS.values(), WEBHOOK_SECRET, FEED_TOKEN, "$argon2"):
        assert secret not in log


def test_a_trusted_proxy_names_the_person_and_nobody_else_can(tmp_path: Path) -> None:
    port = free_port()
    proxy = "  proxy: {header: X-Forwarded-User, trusted: [127.0.0.0/8], read_only: true}\n"
    proc = start(tmp_path, port, proxy)
    try:
        wait_ready(port)
        via_proxy = Browser(port)
        status, _, page = via_proxy.request("GET", "/", headers={"X-Forwarded-User": "salma"})
        assert status == 200 and "salma" in page and 'class="triage"' not in page  # not listed: read-only
        status, _, page = via_proxy.request("GET", "/", headers={"X-Forwarded-User": "amal"})
        assert status == 200 and 'class="triage"' in page  # listed, not read-only
    finally:
        stop(proc)
    untrusted = tmp_path / "other"
    untrusted.mkdir()
    port = free_port()
    proc = start(untrusted, port, "  proxy: {header: X-Forwarded-User, trusted: [192.0.2.1]}\n")
    try:
        wait_ready(port)
        assert Browser(port).request("GET", "/", headers={"X-Forwarded-User": "amal"})[0] == 303
    finally:
        stop(proc)


def test_a_reload_that_removes_the_users_closes_the_console_rather_than_opening_it(tmp_path: Path) -> None:
    import signal

    port = free_port()
    proc = start(tmp_path, port)
    try:
        wait_ready(port)
        config = tmp_path / "config.yaml"
        text = config.read_text(encoding="utf-8")
        users = text[text.index("  users:") : text.index("sources:")]
        config.write_text(text.replace(users, ""), encoding="utf-8")
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while Browser(port).request("GET", "/api/alerts", headers=basic("amal", PASSWORDS["amal"]))[0] != 403:
            assert time.monotonic() < deadline, "the reload did not take"
            time.sleep(0.2)
        for path in ("/", "/api/alerts", "/alerts.atom", "/map"):
            status, _, body = Browser(port).request("GET", path)
            assert status == 403 and "http.users" in body, path
        assert Browser(port).request("GET", "/healthz")[0] == 200
    finally:
        stop(proc)
