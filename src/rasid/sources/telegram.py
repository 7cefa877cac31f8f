"""A public Telegram channel's web preview (`https://t.me/s/NAME`) into entries: each post's
text, permalink, time, what it forwards or answers, and the links and link preview in it. The
preview is HTML made for people: when it stops yielding posts the parser says which part of
the layout it no longer finds, rather than reading nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

import lxml.html

from rasid.models import ItemFailure, clean_text
from rasid.sources.dates import parse_date
from rasid.sources.decode import decode_document
from rasid.sources.feedparse import Entry, ParsedFeed

POST = "tgme_widget_message"
"""The class of a post's element, which carries its `data-post` (`channel/123`)."""
_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
_BEFORE = re.compile(r"[?&]before=(\d+)")
TITLE_CHARS = 120


def _has(name: str) -> str:
    return _CLASS.format(name)


@dataclass(frozen=True)
class PreviewPage:
    """The posts of one preview page, and where the page of older posts starts."""

    parsed: ParsedFeed
    before: int | None
    """The `before=` of the page of older posts, if the page links one."""
    oldest: datetime | None


def parse_preview(body: bytes, content_type: str | None, now: float, where: str = "") -> PreviewPage:
    """Read a preview page; a page with the channel's header but no post in the known layout is
    a layout change, named in `problem`."""
    text = decode_document(body, content_type or "text/html", where)
    try:
        root = lxml.html.document_fromstring(text or "<html></html>")
    except (lxml.etree.ParserError, ValueError) as exc:
        return PreviewPage(ParsedFeed([], f"not an HTML page: {exc}"), None, None)
    posts = root.xpath(f"//div[{_has(POST)} and @data-post and not({_has('service_message')})]")  # not "photo updated"
    if not posts and root.xpath(f"//*[{_has('tme_no_messages_found')}]"):
        return PreviewPage(ParsedFeed([], None), None, None)  # a channel that has not posted yet
    if not posts:  # a news channel always shows its latest posts: a page without any is not read right
        if root.xpath(f"//*[{_has('tgme_channel_info')}]"):
            problem = f"the preview's layout changed: no post (div.{POST}[data-post]) on the channel's page"
        else:
            problem = "not a public channel's preview (no div.tgme_channel_info): private, renamed or gone?"
        return PreviewPage(ParsedFeed([], problem), None, None)
    for link in root.xpath("//a[@onclick and contains(@href, '&amp;')]"):
        link.set("href", link.get("href").replace("&amp;", "&"))  # the preview escapes & twice in a post's links
    entries, failures, unreadable = [], [], 0
    for element in posts:
        post = element.get("data-post", "")
        try:
            entry = _entry(element, now)
        except LayoutChanged as exc:
            failures.append(ItemFailure(post, f"the preview's layout changed: {exc}"))
            continue
        if entry is None:
            unreadable += 1
        else:
            entries.append(entry)
    if posts and not entries and unreadable < len(posts):
        return PreviewPage(ParsedFeed([], failures[0].error, failures), None, None)
    more = root.xpath(f"//a[{_has('tme_messages_more')}]/@href | //link[@rel='prev']/@href")
    found = _BEFORE.search(more[0]) if more else None
    stamps = (parse_date(t, timezone.utc) for e in posts for t in e.xpath(f".//a[{_has('tgme_widget_message_date')}]//time/@datetime"))
    oldest = min((t for t in stamps if t is not None), default=None)  # posts without words count: paging goes on past them
    return PreviewPage(ParsedFeed(entries, None, failures), int(found.group(1)) if found else None, oldest)


class LayoutChanged(ValueError):
    """A post without the parts every post has had (its date link)."""


def _entry(element: lxml.html.HtmlElement, now: float) -> Entry | None:
    """The post as an entry; None for one with no words to read (a sticker, a photo without a
    caption, a post the preview does not show: "Please open Telegram to view this post")."""
    post = element.get("data-post", "")
    link = _first(element, f".//a[{_has('tgme_widget_message_date')}]")
    if link is None:
        raise LayoutChanged(f"post {post} has no a.tgme_widget_message_date")
    permalink = link.get("href") or f"https://t.me/{post}"
    stamp = link.xpath(".//time/@datetime")
    published = parse_date(stamp[0], timezone.utc) if stamp else None
    if published is not None:
        published = min(published, datetime.fromtimestamp(now, timezone.utc))  # a clock ahead of ours is not the future
    parts: list[str] = []
    forwarded = _first(element, f".//*[{_has('tgme_widget_message_forwarded_from_name')}]")
    if forwarded is not None:
        parts.append(f"[forwarded from {_text(forwarded)}]")
    reply = _first(element, f".//a[{_has('tgme_widget_message_reply')}]")
    if reply is not None:
        replied = _first(reply, f".//*[{_has('js-message_reply_text')} or {_has('tgme_widget_message_text')}]")  # or "Photo"
        parts.append(f"[reply to: {_text(replied) if replied is not None else reply.get('href', '')}]")
    # a reply's quote and a link preview reuse the text's class; the post's own text is js-message_text
    body = _first(element, f".//div[{_has('js-message_text')}]")
    if body is None:
        body = _first(element, f".//div[{_has('tgme_widget_message_text')} and not(ancestor::a[{_has('tgme_widget_message_reply')}])]")
    said = _text(body) if body is not None else ""
    question = _first(element, f".//*[{_has('tgme_widget_message_poll_question')}]")
    if question is not None:
        options = [_text(o) for o in element.xpath(f".//*[{_has('tgme_widget_message_poll_option_text')}]")]
        said = "\n".join([said, _text(question), *(f"- {o}" for o in options)]).strip()
    preview = _first(element, f".//a[{_has('tgme_widget_message_link_preview')}]")
    if preview is not None:
        bits = [_text(x) for x in preview.xpath(f".//*[{_has('link_preview_title')} or {_has('link_preview_description')}]")]
        said = "\n".join([said, *bits, preview.get("href", "")]).strip()
    links = [a.get("href") for a in (body.xpath(".//a[@href]") if body is not None else []) if a.get("href", "").startswith("http")]
    unseen = [link for link in dict.fromkeys(links) if link not in said]  # a link written as a word, not its address
    if unseen:
        said = "\n".join([said, *unseen]).strip()
    if not said:
        return None
    text = "\n".join([*parts, said]).strip()
    first_line = next(line for line in said.splitlines() if line.strip())
    return Entry(clean_text(first_line)[:TITLE_CHARS], clean_text(text), permalink, f"tg:{post}", published)


def _first(element: lxml.html.HtmlElement, path: str) -> lxml.html.HtmlElement | None:
    found = element.xpath(path)
    return found[0] if found else None


def _text(element: lxml.html.HtmlElement) -> str:
    """The element's text with its line breaks kept."""
    for br in element.xpath(".//br"):
        br.tail = "\n" + (br.tail or "")
    return "\n".join(line.strip() for line in element.text_content().splitlines()).strip()
