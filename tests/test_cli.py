"""The command line's gazetteer look-up and explanations, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path

from support import ROOT, rasid


def test_places_search(tmp_path: Path) -> None:
    found = rasid("places", "search", "جاسم", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("جاسم  (Jāsim)  locality SY-DR")
    ambiguous = rasid("places", "search", "--json", "القنيطرة", cwd=tmp_path)
    rows = [json.loads(line) for line in ambiguous.stdout.splitlines()]
    assert {(r["country"], r["kind"]) for r in rows} >= {("SY", "locality"), ("SY", "governorate"), ("MA", "locality")}
    missing = rasid("places", "search", "أتلانتس", cwd=tmp_path)
    assert missing.returncode == 1 and "no place called" in missing.stderr


def test_places_search_includes_the_configs_own_places(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "watchlists: [{name: d, places: [{within: درعا}]}]\n"
        "gazetteer: {places: [{name: تل الجموع, aliases: [Tal al-Jumu], country: SY, within: درعا}]}\n",
        encoding="utf-8",
    )
    found = rasid("places", "search", "-c", str(config), "Tal al-Jumu", cwd=tmp_path)
    assert found.returncode == 0 and found.stdout.startswith("تل الجموع")
    match = rasid("match", "--json", "-c", str(config), "-", cwd=tmp_path, input_text="قصف على تل الجموع وطفس")
    (result,) = [json.loads(line) for line in match.stdout.splitlines()]
    places = [(m["term"], m["place"]["admin1"]) for m in result["alerts"][0]["matches"]]
    assert places == [("تل الجموع", "SY-DR"), ("طفس", "SY-DR")]


def test_explanation_names_prefix_suffix_and_context(tmp_path: Path) -> None:
    text = "اغتيال قيادي سابق في مدينة جاسم. وللقنيطرة اجتماعاتهم. قال جاسم العلي إن الأسعار ارتفعت"
    result = rasid("match", "-c", str(ROOT / "config.yaml"), "-", cwd=tmp_path, input_text=text)
    out = result.stdout
    assert "south-syria: fires on 4 matches" in out
    assert "«جاسم»  after مدينه" in out
    assert "«وللقنيطرة»  prefix ولل" in out
    assert "«اجتماعاتهم»  suffix اتهم" in out
    assert "│ اغتيال قيادي سابق في مدينة جاسم." in out


def test_unknown_governorate_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("watchlists: [{name: d, places: [{within: أتلانتس}]}]\n", encoding="utf-8")
    result = rasid("match", "-c", str(config), "-", cwd=tmp_path, input_text="نص")
    assert result.returncode == 1
    assert f"{config}:1: watchlists[0].places[0].within: the gazetteer knows no country, division or region called 'أتلانتس'" in result.stderr


def test_output_cut_short_by_a_pipe_is_no_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    from support import clean_env

    command = f"{sys.executable} -m rasid places search --json ا | head -1; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(
        ["bash", "-c", command], cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == ""
    assert json.loads(result.stdout)["country"]


def test_match_names_a_gazetteer_place_by_its_division_code(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("watchlists: [{name: yemen, places: [{within: الحديدة}]}]\n", encoding="utf-8")
    result = rasid("match", "-c", str(config), "-", cwd=tmp_path, input_text="قصفت طائرات مواقع في مدينة الحديدة")
    assert result.returncode == 0, result.stderr
    assert "governorate YE-HU #YE-HU" in result.stdout and "YE-YE-HU" not in result.stdout


SECRETIVE = """\
state_dir: ./state
storage: {url: "${credential:pg-url}"}
watchlists:
  - {name: w, places: [درعا], notify: [hook, chat]}
notifiers:
  - {name: hook, type: webhook, url: "${credential:webhook-url}", secret: "${credential:webhook-secret}"}
  - {name: chat, type: webhook, url: "${CHAT_URL}"}
  - {name: console, type: console}
"""


def test_commands_that_send_nothing_need_no_notifier_secret(tmp_path: Path) -> None:
    """As an operator runs them on the server, without the unit's credentials: only what a
    command uses must resolve (matching needs neither the notifiers' secrets nor the state's)."""
    (tmp_path / "config.yaml").write_text(SECRETIVE, encoding="utf-8")
    matched = rasid("match", "-c", "config.yaml", "-", cwd=tmp_path, input_text="انفجار في درعا")
    assert matched.returncode == 0 and "fires on 1 matches" in matched.stdout, matched.stderr
    looked = rasid("places", "search", "-c", "config.yaml", "جاسم", cwd=tmp_path)
    assert looked.returncode == 0, looked.stderr
    (tmp_path / "config.yaml").write_text(SECRETIVE.replace('storage: {url: "${credential:pg-url}"}\n', ""), encoding="utf-8")
    for command in (["status"], ["sources"], ["stories"], ["outbox"], ["replay"]):
        done = rasid(*command, "-c", "config.yaml", cwd=tmp_path)
        assert done.returncode == 0 and "CREDENTIALS_DIRECTORY" not in done.stderr, (command, done.stderr)
    # check needs every secret but the unit's credentials, which only the unit can read (it
    # checks them before each start); the daemon needs every one
    checked = rasid("check", "-c", "config.yaml", cwd=tmp_path)
    assert checked.returncode == 1 and "CHAT_URL is not set" in checked.stderr and "CREDENTIALS" not in checked.stderr
    checked = rasid("check", "-c", "config.yaml", cwd=tmp_path, env={"CHAT_URL": "https://127.0.0.1:9/chat"})
    assert checked.returncode == 0, checked.stderr
    assert "credentials not read here (no $CREDENTIALS_DIRECTORY" in checked.stdout and "webhook-secret, webhook-url" in checked.stdout
    (tmp_path / "creds").mkdir()
    in_unit = rasid("check", "-c", "config.yaml", cwd=tmp_path, env={"CHAT_URL": "x", "CREDENTIALS_DIRECTORY": str(tmp_path / "creds")})
    assert in_unit.returncode == 1 and "notifiers[0].url: cannot read credential webhook-url" in in_unit.stderr
    once = rasid("once", "-c", "config.yaml", cwd=tmp_path)
    assert once.returncode == 1 and "notifiers[0].url: credential webhook-url asked for" in once.stderr


def test_a_command_that_reads_the_state_still_needs_the_state_s_secret(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(SECRETIVE, encoding="utf-8")
    status = rasid("status", "-c", "config.yaml", cwd=tmp_path)
    assert status.returncode == 1
    assert "storage.url: credential pg-url asked for" in status.stderr and "webhook-url" not in status.stderr


def test_commands_that_only_look_create_no_state(tmp_path: Path) -> None:
    """Run before the daemon ever has (as root, say, right after installing): they answer for an
    empty state and leave no database or folder behind for the daemon's user to trip over."""
    (tmp_path / "config.yaml").write_text("state_dir: ./state\nwatchlists: [{name: w, places: [درعا]}]\n", encoding="utf-8")
    status = rasid("status", "-c", "config.yaml", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "(none yet: nothing has run here)" in status.stdout and "outbox: pending 0, delivered 0, dead 0" in status.stdout
    for command in (["sources"], ["stories"], ["outbox"], ["replay"], ["explain", "1"], ["outbox", "retry", "--all"]):
        done = rasid(*command, "-c", "config.yaml", cwd=tmp_path)
        assert done.returncode in (0, 1) and "Traceback" not in done.stderr, (command, done.stderr)
    assert not (tmp_path / "state").exists()
    assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
    assert (tmp_path / "state" / "rasid.sqlite3").exists()


def test_a_long_status_is_cut_at_a_word() -> None:
    from rasid.cli import _shortened

    status = "unreadable feed: <unknown>:2:0: not well-formed (invalid token) at the start"
    short = _shortened(status, 48)
    assert len(short) <= 48 and short.endswith("…") and status.startswith(short[:-1])
    assert status[len(short) - 1] == " "  # ends where a word did
    assert _shortened("connection refused 127.0.0.1:9", 48) == "connection refused 127.0.0.1:9"


def test_passwd_prints_a_hash_the_console_accepts_and_read_only_commands_need_none(tmp_path: Path) -> None:
    from argon2 import PasswordHasher

    made = rasid("passwd", cwd=tmp_path, input_text="مدينة تعز 2026\n")
    assert made.returncode == 0, made.stderr
    hashed = made.stdout.strip()
    assert hashed.startswith("$argon2id$") and PasswordHasher().verify(hashed, "مدينة تعز 2026")
    short = rasid("passwd", cwd=tmp_path, input_text="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr and not short.stdout
    config = tmp_path / "config.yaml"
    config.write_text(
        'http: {users: [{name: amal, password_hash: "${AMAL_HASH}"}]}\nwatchlists: [{name: d, places: [درعا]}]\n',
        encoding="utf-8",
    )
    assert rasid("stories", "-c", str(config), cwd=tmp_path).returncode == 0  # the hash is the console's business
    assert rasid("match", "-c", str(config), "-", cwd=tmp_path, input_text="درعا").returncode == 0
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("http: {users: [{name: amal, password_hash: hunter22}]}\nwatchlists: [{name: d, places: [درعا]}]\n")
    checked = rasid("check", "-c", str(wrong), cwd=tmp_path)
    assert checked.returncode == 1 and "http.users[0].password_hash" in checked.stderr and "rasid passwd" in checked.stderr
