"""Public Telegram channels through their web preview, served on 127.0.0.1 from the pages in
`tests/data/telegram/`: posts become reports and alerts, the first poll pages back with
`before=`, an edited post is the same post, and a layout the parser no longer knows makes the
source unhealthy, saying so."""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timezone
from pathlib import Path

from support import Request, Response, WebhookReceiver, _Server, rasid

from rasid.sources.telegram import parse_preview

PAGES = Path(__file__).parent / "data" / "telegram"


class ChannelServer(_Server):
    """Serves a channel's preview: `pages` by path and query."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        super().__init__()

    def respond(self, request: Request) -> Response:
        body = self.pages.get(request.path)
        return Response(200, body, {"Content-Type": "text/html; charset=utf-8"}) if body else Response(404, b"no")


def test_each_kind_of_post_reads_as_text_with_its_permalink_and_context() -> None:
    page = parse_preview((PAGES / "channel.html").read_bytes(), "text/html", time.time())
    posts = {e.guid: e for e in page.parsed.entries}
    assert list(posts) == [f"tg:yemen_news/{n}" for n in range(1201, 1206)] and page.before == 1201
    assert posts["tg:yemen_news/1201"].url == "https://t.me/yemen_news/1201"
    assert posts["tg:yemen_news/1201"].text.count("https://news.example/ye/4411") == 1  # its link, once
    assert posts["tg:yemen_news/1202"].title.startswith("صورة من موقع القصف")  # a photo's caption
    assert posts["tg:yemen_news/1202"].text.endswith("المصدر\nhttps://news.example/ye/photo?id=7&lang=ar")  # & escaped once
    assert posts["tg:yemen_news/1203"].text.startswith("[forwarded from الحديدة الآن]")
    assert posts["tg:yemen_news/1204"].text.splitlines() == ["هل وصلت المساعدات إلى منطقتك؟", "- نعم", "- لا"]
    reply = posts["tg:yemen_news/1205"].text
    assert reply.startswith("[reply to: عاجل | غارات") and "ارتفاع عدد ضحايا غارات الدريهمي" in reply and reply.endswith("/ye/4412")
    assert posts["tg:yemen_news/1201"].published.isoformat() == "2026-11-30T05:12:40+00:00"  # type: ignore[union-attr]
    older = parse_preview((PAGES / "channel-older.html").read_bytes(), "text/html", time.time())
    assert [e.guid for e in older.parsed.entries] == ["tg:yemen_news/1199", "tg:yemen_news/1200"]  # not "photo updated"
    assert older.before is None
    assert older.parsed.entries[1].text.startswith("[reply to: Photo]\nسيول جارفة")  # a reply to a photo quotes what it was


def test_a_post_without_words_is_passed_over_and_a_channel_without_posts_is_not_a_layout_change() -> None:
    page = parse_preview((PAGES / "channel.html").read_bytes(), "text/html", time.time())
    assert "tg:yemen_news/1206" not in {e.guid for e in page.parsed.entries} and not page.parsed.failures
    assert page.oldest is not None and page.oldest.isoformat() == "2026-11-30T05:12:40+00:00"
    empty = parse_preview((PAGES / "channel-empty.html").read_bytes(), "text/html", time.time())
    assert empty.parsed.entries == [] and empty.parsed.problem is None and empty.before is None
    changed = parse_preview((PAGES / "layout-changed.html").read_bytes(), "text/html", time.time())
    assert changed.parsed.problem is not None and "layout changed" in changed.parsed.problem


def test_a_channel_alerts_pages_back_knows_an_edit_and_says_when_its_layout_changes(tmp_path: Path) -> None:
    channel, receiver = ChannelServer(), WebhookReceiver()
    try:
        channel.pages["/s/yemen_news"] = (PAGES / "channel.html").read_bytes()
        channel.pages["/s/yemen_news?before=1201"] = (PAGES / "channel-older.html").read_bytes()
        (tmp_path / "config.yaml").write_text(
            "state_dir: ./state\n"
            "sources:\n"
            f"  telegram: [{{name: yemen-tg, channel: '@yemen_news', url: '{channel.url}/s/yemen_news', interval: 1s,\n"
            "              max_age: 36500d, alert_after: 1s}]\n"
            "watchlists:\n"
            "  - {name: yemen, places: [{within: الحديدة}, {within: تعز}], keywords: [غارة, قصف, نزوح, سيول]}\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook', one_per: watchlist}}]\n",
            encoding="utf-8",
        )
        tried = rasid("sources", "try", f"{channel.url}/s/yemen_news", cwd=tmp_path)  # what a poll would read, before any
        assert tried.stdout.endswith("5 posts: read as a Telegram channel's preview\n") and "https://t.me/yemen_news/1205" in tried.stdout
        channel.requests.clear()
        first = rasid("once", "-c", "config.yaml", cwd=tmp_path)
        assert first.returncode == 0, first.stderr
        assert [r.path for r in channel.requests] == ["/s/yemen_news", "/s/yemen_news?before=1201"]  # back to max_age
        alerted = {p.json()["report"]["url"] for p in receiver.posts()}
        assert {f"https://t.me/yemen_news/{n}" for n in (1200, 1201, 1202, 1203, 1205)} == alerted
        assert all(p.json()["report"]["source"] == "yemen-tg" for p in receiver.posts())

        channel.pages["/s/yemen_news"] = (PAGES / "channel-edited.html").read_bytes()
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        new = [p.json()["report"]["url"] for p in receiver.posts()][len(alerted):]
        assert new == ["https://t.me/yemen_news/1206"]  # 1201, edited, is the same post: no second alert
        assert "?before=" not in channel.requests[-1].path  # later polls read the first page only

        channel.pages["/s/yemen_news"] = (PAGES / "layout-changed.html").read_bytes()
        for _ in range(2):
            broken = rasid("once", "-c", "config.yaml", cwd=tmp_path)
            assert broken.returncode == 0 and "layout changed" in broken.stderr
            time.sleep(1.1)
        rows = {r["source"]: r for r in map(json.loads, rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines())}
        assert rows["yemen-tg"]["kind"] == "telegram" and rows["yemen-tg"]["status"] == "layout changed: no posts found" and rows["yemen-tg"]["errors"] == 2
        (event,) = [p.json() for p in receiver.posts() if p.json()["type"] == "source.unhealthy"]
        assert event["source"] == "yemen-tg" and "layout changed" in event["reason"]
    finally:
        channel.close()
        receiver.close()


def generated_page(channel: str, posts: list[tuple[int, str, float]], before: int | None) -> bytes:
    """A preview page in the layout of the saved ones: `posts` (id, text, time), newest last,
    and a link to the older page when `before` is given."""
    more = (f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/{channel}?before={before}"'
            f' class="tme_messages_more js-messages_more" data-before="{before}"></a></div>') if before else ""  # fmt: skip
    wraps = "".join(
        f'<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap'
        f' js-widget_message" data-post="{channel}/{n}"><div class="tgme_widget_message_bubble">'
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div><div class="tgme_widget_message_footer'
        f' compact js-message_footer"><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date"'
        f' href="https://t.me/{channel}/{n}"><time datetime="{datetime.fromtimestamp(at, timezone.utc).isoformat()}"'
        f' class="time">00:00</time></a></span></div></div></div></div>'
        for n, text, at in posts
    )
    return (f'<html><body><section class="tgme_right_column"><div class="tgme_channel_info"></div></section>'
            f'<main class="tgme_main"><section class="tgme_channel_history js-message_history">{more}{wraps}'
            "</section></main></body></html>").encode()  # fmt: skip


def one_channel_config(tmp_path: Path, name: str, channel: ChannelServer, watchlist: str, receiver: WebhookReceiver) -> None:
    """A config reading the channel `name` from `channel` every second, with one watch-list and a webhook."""
    (tmp_path / "config.yaml").write_text(
        f"sources: {{telegram: [{{name: {name}, channel: '@{name}', url: '{channel.url}/s/{name}', interval: 1s}}]}}\n"
        f"watchlists: [{watchlist}]\n"
        f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook'}}]\n",
        encoding="utf-8",
    )


def test_a_channel_that_posts_more_than_a_page_between_two_polls_loses_none(tmp_path: Path) -> None:
    channel, receiver = ChannelServer(), WebhookReceiver()
    words = ("تعز الحديدة المخا زبيد الخوخة حيس الجراحي التحيتا الدريهمي بيت الفقيه مدفعي صاروخي ليلي عنيف متقطع"
             " منازل مزارع طريق سوق مدرسة مستشفى ميناء جسر قرية حي أطراف وسط شرق غرب شمال جنوب").split()

    def post(n: int) -> str:  # each post its own words: they are not copies of one story
        return f"قصف {' '.join(random.Random(n).sample(words, 14))}، الخبر رقم {n}"

    try:
        start = time.time() - 3600
        posts = [(n, post(n), start + n) for n in range(1, 11)]
        channel.pages["/s/busy"] = generated_page("busy", posts, None)
        one_channel_config(tmp_path, "busy", channel, "{name: yemen, keywords: [قصف]}", receiver)
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert len(receiver.posts()) == 10

        now = time.time()  # 45 posts since: the first page shows the last 20, two older pages the rest
        posts = [(n, post(n), now - (55 - n)) for n in range(11, 56)]
        channel.pages["/s/busy"] = generated_page("busy", posts[-20:], 36)
        channel.pages["/s/busy?before=36"] = generated_page("busy", posts[5:25], 16)
        channel.pages["/s/busy?before=16"] = generated_page("busy", posts[:5], None)  # 11-15, then 1-10 already read
        time.sleep(1.1)
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        read = sorted(int(p.json()["report"]["url"].rpartition("/")[2]) for p in receiver.posts())
        assert read == list(range(1, 56))  # every post once, none lost between the polls
        assert [r.path for r in channel.requests][-3:] == ["/s/busy", "/s/busy?before=36", "/s/busy?before=16"]
    finally:
        channel.close()
        receiver.close()


def test_a_post_edited_to_name_a_watched_place_alerts_once_with_its_new_text(tmp_path: Path) -> None:
    channel, receiver = ChannelServer(), WebhookReceiver()
    try:
        at = time.time() - 600
        channel.pages["/s/breaking"] = generated_page("breaking", [(7, "عاجل | انفجار عنيف يهز المدينة قبل قليل", at)], None)
        one_channel_config(tmp_path, "breaking", channel, "{name: ports, places: [الحديدة]}", receiver)
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        assert receiver.posts() == []  # no place named yet
        edited = "عاجل | انفجار عنيف يهز مدينة الحديدة قبل قليل"
        channel.pages["/s/breaking"] = generated_page("breaking", [(7, edited, at)], None)
        for _ in range(2):  # the edit alerts once; the same edit polled again is known
            time.sleep(1.1)
            polled = rasid("once", "-c", "config.yaml", cwd=tmp_path)
            assert polled.returncode == 0, polled.stderr
        (alert,) = [p.json() for p in receiver.posts()]
        assert alert["report"]["url"] == "https://t.me/breaking/7" and [m["surface"] for m in alert["matches"]] == ["الحديدة"]
        explained = rasid("explain", "-c", "config.yaml", alert["id"], cwd=tmp_path)
        assert explained.returncode == 0 and "الحديدة" in explained.stdout  # the archive holds the text it matched
    finally:
        channel.close()
        receiver.close()


def test_a_channel_that_says_429_waits_as_asked_and_a_login_redirect_is_not_a_channel(tmp_path: Path) -> None:
    channel = ChannelServer()
    try:
        channel.pages["/s/yemen_news"] = b""
        (tmp_path / "config.yaml").write_text(
            f"sources: {{telegram: [{{name: yemen-tg, channel: '@yemen_news', url: '{channel.url}/s/yemen_news', interval: 1m}}]}}\n"
            "watchlists: [{name: yemen, places: [تعز]}]\n",
            encoding="utf-8",
        )
        channel.respond = lambda request: Response(429, b"Too Many Requests", {"Retry-After": "3600"})  # type: ignore[method-assign]
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        (row,) = map(json.loads, rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines())
        assert row["status"] == "HTTP 429, retry after 3600s"
        waits = (time.mktime(time.strptime(row["next_poll"][:19], "%Y-%m-%dT%H:%M:%S")) - time.mktime(time.strptime(row["last_poll"][:19], "%Y-%m-%dT%H:%M:%S")))
        assert 3590 <= waits <= 3610  # an hour as asked, not the minute's backoff

        login = b'<html><body><div class="tgme_page"><div class="tgme_page_title">Log in to Telegram</div></div></body></html>'
        channel.respond = lambda request: (  # type: ignore[method-assign]
            Response(302, b"", {"Location": "/login"}) if request.path.startswith("/s/") else Response(200, login, {"Content-Type": "text/html"})
        )
        (tmp_path / "state").rename(tmp_path / "state-429")  # a fresh state: polled at once
        assert rasid("once", "-c", "config.yaml", cwd=tmp_path).returncode == 0
        (row,) = map(json.loads, rasid("sources", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines())
        assert row["status"] == "not a public channel"
    finally:
        channel.close()


def test_through_rasid_run_a_post_quoting_an_agency_story_is_that_story(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from support import FeedServer, clean_env, rss, wait_until

    story = ("قالت وكالة الأنباء إن غارة جوية استهدفت رصيف ميناء الحديدة فجر اليوم، ما أدى إلى توقف الرافعات"
             " ومغادرة سفينتين المرسى، وأكد عمال في الميناء سماع ثلاثة انفجارات متتالية قبل الفجر بقليل.")  # fmt: skip
    post = f"""<section class="tgme_channel_history"><div class="tgme_channel_info"></div>
<div class="tgme_widget_message js-widget_message" data-post="yemen_news/1301"><div class="tgme_widget_message_bubble">
<div class="tgme_widget_message_text js-message_text" dir="auto">عاجل | {story}</div>
<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/yemen_news/1301">
<time datetime="{time.strftime('%Y-%m-%dT%H:%M:%S+00:00', time.gmtime())}" class="time">x</time></a></span></div></div></section>"""
    channel, wire, receiver = ChannelServer(), FeedServer(), WebhookReceiver()
    try:
        channel.pages["/s/yemen_news"] = post.encode()
        wire.routes["/rss"] = Response(200, rss([{"title": "غارة على ميناء الحديدة", "link": "https://agency.example/1",
                                                  "guid": "agency-1", "description": story}]))  # fmt: skip
        (tmp_path / "config.yaml").write_text(
            "state_dir: ./state\n"
            "sources:\n"
            f"  feeds: [{{name: wire, url: '{wire.url}/rss', interval: 1s}}]\n"
            f"  telegram: [{{name: yemen-tg, channel: '@yemen_news', url: '{channel.url}/s/yemen_news', interval: 1s}}]\n"
            "watchlists: [{name: ports, places: [الحديدة], keywords: [غارة]}]\n"
            f"notifiers: [{{name: desk, type: webhook, url: '{receiver.url}/hook'}}]\n",
            encoding="utf-8",
        )
        proc = subprocess.Popen([sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=tmp_path, env=clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert wait_until(lambda: any(r.path.startswith("/s/") for r in channel.requests) and any(
                r.path == "/rss" for r in wire.requests) and len(receiver.posts()) >= 1, timeout=30)  # fmt: skip
            time.sleep(1.5)  # both sources polled again meanwhile
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        alerts = [p.json() for p in receiver.posts() if p.json()["type"] == "alert"]
        assert len(alerts) == 1  # one story, however many places carried it
        (told,) = [json.loads(line) for line in rasid("stories", "-c", "config.yaml", "--json", cwd=tmp_path).stdout.splitlines()]
        assert sorted(s["source"] for s in told["sources"]) == ["wire", "yemen-tg"]
    finally:
        channel.close()
        wire.close()
        receiver.close()
