"""The config file, described once: these models validate it and document it."""

from __future__ import annotations

import difflib
import ipaddress
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    SecretStr,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from rasid.normalize import normalize_term

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: Any) -> float:
    """`30s`, `5m`, `1h30m`, `2d` or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 5m or 1h")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        pos, seconds = 0, 0.0
        for m in _DURATION_PART.finditer(text):
            if m.start() != pos and text[pos : m.start()].strip():
                break
            seconds += float(m.group(1)) * _UNIT_SECONDS[m.group(2)]
            pos = m.end()
        if not text or pos == 0 or text[pos:].strip():
            raise ValueError(f"invalid duration {value!r}: use a number and a unit, e.g. 30s, 5m, 1h")
    else:
        raise ValueError("expected a duration such as 30s, 5m or 1h")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    if not math.isfinite(seconds) or seconds > MAX_DURATION:
        raise ValueError(f"a duration of at most {format_duration(MAX_DURATION)} (a century): longer ones reach dates no calendar holds")
    return seconds


MAX_DURATION = 36_500 * 86400.0
"""The longest duration a config may give."""
MAX_BYTES = 1_000_000_000
"""The largest `max_bytes`: a response or file is held in memory whole."""


def format_duration(seconds: float) -> str:
    """Seconds -> the shortest way to write them in a config: 300 -> `5m`."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def _resolve_path(value: Path, info: ValidationInfo) -> Path:
    value = value.expanduser()
    base = (info.context or {}).get("base_dir")
    if base is not None and not value.is_absolute():
        value = Path(base) / value
    return value


def _http_url(value: str) -> str:
    if value and not re.match(r"(?i)^https?://[^/\s]+", value):
        raise ValueError("must be an http:// or https:// URL")
    return value


Seconds = Annotated[float, BeforeValidator(parse_duration)]
"""A duration in seconds, written `30s`, `5m`, `1h` or as a number of seconds."""
ConfigPath = Annotated[Path, AfterValidator(_resolve_path)]
"""A path; relative paths are relative to the config file's folder."""
HttpUrl = Annotated[str, AfterValidator(_http_url)]


def _known_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


TimeZone = Annotated[str, AfterValidator(_known_timezone)]
"""An IANA time zone name: `Asia/Aden`, `UTC`."""
Language = Literal["en", "ar"]
Name = Annotated[str, Field(min_length=1, pattern=r"^\S(.*\S)?$")]

WILDCARD_MIN_LETTERS = 3
"""Letters a `name*` term needs before its `*`: fewer (`ا*`) would match most words. Three, a root's length."""


ARABIC_LIST_SEPARATORS = "،؛"


def _single_term(value: str) -> str:
    for mark in ARABIC_LIST_SEPARATORS:
        if mark in value:
            raise ValueError(
                f"{value!r} holds the Arabic comma or semicolon {mark!r}: YAML separates list items with a"
                " Latin comma, so [a، b] is one term; write [a, b]"
            )
    return value


def _matchable(value: str) -> str:
    _single_term(value)
    key = normalize_term(value.rstrip("*"))
    if not key:
        raise ValueError(
            f"{value!r} can never match: nothing is left of it once diacritics, tatweel, punctuation"
            " and invisible marks are folded away"
        )
    if value.endswith("*") and len(key.replace(" ", "")) < WILDCARD_MIN_LETTERS:
        raise ValueError(f"{value!r}: a wildcard needs at least {WILDCARD_MIN_LETTERS} letters before the *, or it matches most words")
    return value


TermText = Annotated[Name, AfterValidator(_matchable)]
"""A watch-list term or spelling: refused when matching would fold it to nothing or to a bare prefix."""


def _verb_stem(value: str) -> str:
    key = normalize_term(value)
    if " " in key or value.endswith("*") or len(key) < VERB_MIN_LETTERS:
        raise ValueError(f"{value!r}: a verb is one word of at least {VERB_MIN_LETTERS} letters, its past tense (قصف، نزح، استهدف)")
    return value


VERB_MIN_LETTERS = 3
VerbStem = Annotated[TermText, AfterValidator(_verb_stem)]
"""A verb's past tense, third person masculine singular: what it is conjugated from."""
Verbs = Annotated[
    Annotated[bool, Tag("flag")] | Annotated[list[VerbStem], Tag("stems")],
    Discriminator(lambda v: "flag" if isinstance(v, bool) else "stems"),
]


class Model(BaseModel):
    # defer_build: a model's validator is made when first used, not at import; loading a config
    # makes the whole config's at once
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Term(Model):
    """A place or keyword with options: its reported name, other spellings and how it matches
    (plain text is a name with every option at its default)."""

    name: TermText = Field(description="reported as the match's `term`; a trailing `*` matches any word it starts")
    aliases: list[TermText] = Field(default_factory=list, description="other spellings, Arabic or Latin, that count as this term")
    forms: list[TermText] = Field(default_factory=list, description="irregular forms such as broken plurals (مجازر for مجزرة)")
    inflect: bool | None = Field(
        None, description="allow plural and pronoun suffixes; default: keywords yes, places no"
    )
    article: Literal["auto", "optional", "required"] = Field(
        "auto",
        description="for names written with ال: may it be dropped (منطقة جيدور حوران)? auto: only when"
        " the bare form is not an everyday word",
    )
    context: list[TermText] = Field(
        default_factory=list, description="if set, matches only with one of these words shortly before it (مدينة, بلدة, في)"
    )
    evidence: bool = Field(
        False, description="weigh each match as gazetteer places are (cues, person and organisation words, everyday words)"
    )
    verbs: Verbs | None = Field(
        None,
        description="keywords only: also match the verb conjugated (قصف: قصفت، قصفوا، يقصفون، سيقصف); true"
        " conjugates the name and aliases as past-tense stems, a list gives the stems (نزح for نزوح);"
        " default: the watch-list's `verbs`",
    )

    @property
    def spellings(self) -> list[str]:
        return [self.name, *self.aliases, *self.forms]


def _country_code(value: Any) -> Any:
    """YAML 1.1 reads an unquoted `NO` (Norway) as false: taken back as the code; `YES`, `ON` as
    true, which is no country."""
    if value is False:
        return "NO"
    if value is True:
        raise ValueError("YAML reads this as true, not a country code: quote the code, e.g. 'SY'")
    return value


class PlaceSet(Model):
    """Places taken from the gazetteer: a country's localities or a governorate's."""

    gazetteer: Annotated[str | None, BeforeValidator(_country_code)] = Field(
        None, pattern=r"^[A-Za-z]{2}$", description="ISO country code: every place of that country"
    )
    within: Annotated[Name | None, AfterValidator(_single_term)] = Field(
        None,
        description="a country, first-level division or region (Arabic or Latin name, or ISO 3166-2 code): it and every place inside it",
    )
    min_population: int = Field(0, ge=0, description="leave out localities smaller than this")
    context: list[Name] = Field(default_factory=list, description="as for a place: cue words required before a match")
    evidence: bool = Field(
        True, description="give each match a confidence from the evidence in the text; false: every name counts"
    )

    @model_validator(mode="after")
    def _one_selector(self) -> PlaceSet:
        if (self.gazetteer is None) == (self.within is None):
            raise ValueError("give exactly one of 'gazetteer' or 'within'")
        return self


def _term_kind(data: Any) -> str:
    return "text" if isinstance(data, str) else "term"


def _place_kind(data: Any) -> str:
    if isinstance(data, (dict, PlaceSet)) and (
        isinstance(data, PlaceSet) or "gazetteer" in data or "within" in data
    ):
        return "set"
    return _term_kind(data)


KeywordEntry = Annotated[Annotated[TermText, Tag("text")] | Annotated[Term, Tag("term")], Discriminator(_term_kind)]
"""A keyword: its plain text (kept as a string: a list of 30,000 names loads four times as fast
as one of models), or a `Term` with options."""
PlaceEntry = Annotated[
    Annotated[TermText, Tag("text")] | Annotated[Term, Tag("term")] | Annotated[PlaceSet, Tag("set")],
    Discriminator(_place_kind),
]
"""A place: plain text, a `Term`, or a `PlaceSet` of the gazetteer's."""


def as_term(entry: str | Term) -> Term:
    """A place or keyword entry as a `Term`, options at their defaults for plain text."""
    return Term.model_construct(name=entry) if isinstance(entry, str) else entry


class CustomPlace(Model):
    """A place to add to the gazetteer: a village GeoNames lacks, a local name for a region."""

    name: Name = Field(description="its usual Arabic name")
    aliases: list[Name] = Field(default_factory=list, description="other Arabic or Latin spellings")
    country: str = Field(pattern=r"^[A-Za-z]{2}$", description="ISO country code")
    within: Name | None = Field(None, description="the governorate it belongs to, by name")
    kind: Literal["locality", "region"] = "locality"


class GazetteerConfig(Model):
    """Additions to the bundled gazetteer."""

    places: list[CustomPlace] = Field(default_factory=list, description="places to add; see below")


class Example(Model):
    """A text and whether the watch-list must fire on it: checked by `rasid check` and on reload."""

    text: str = Field(min_length=1, description="a sentence or report")
    fires: bool = Field(description="whether the watch-list must fire on it")


class Burst(Model):
    """Breaking news: this many outlets carrying reports that fire the watch-list within so long."""

    outlets: int = Field(ge=2, description="distinct sources, across one story or several")
    within: Seconds = Field(gt=0, description="in this long, e.g. `20m`")


class WatchList(Model):
    """Places and keywords to watch, and the rule that makes a report fire."""

    name: Name = Field(description="names the alerts this list raises")
    places: list[PlaceEntry] = Field(
        default_factory=list, description="place names, or `{gazetteer: SY}` / `{within: درعا}`; prefixes attach (و ب ل ال ...)"
    )
    keywords: list[KeywordEntry] = Field(
        default_factory=list, description="keywords; a keyword also matches with plural and pronoun suffixes"
    )
    match: Literal["any", "all"] = Field(
        "any", description="any: a place or a keyword fires; all: needs a place and a keyword"
    )
    exclude: list[TermText] = Field(default_factory=list, description="a report containing one of these never fires this list")
    exclude_near: list[TermText] = Field(
        default_factory=list,
        description="phrases a match inside of does not count (قصف إعلامي): the rest of the report may still fire",
    )
    verbs: bool = Field(
        False, description="match its keywords' verb forms too (each keyword's own `verbs` wins); see Matching"
    )
    idioms: bool = Field(
        True, description="leave out matches inside rasid's short list of idioms (قصف إعلامي، حرب الأسعار، جنات عدن ...)"
    )
    near: int | None = Field(
        None, gt=0, description="fire only when a place and a keyword stand within this many words"
    )
    fold_hamza_seats: bool = Field(False, description="also fold ؤ to و and ئ to ي (lossy)")
    min_confidence: float = Field(
        0.5, ge=0, le=1, description="checked matches (gazetteer places) with less confidence do not count"
    )
    tests: list[Example] = Field(default_factory=list, description="examples the list must get right; see below")
    notify: list[Name] | None = Field(None, description="notifier names; default: every notifier")
    burst: Burst | None = Field(
        None, description="`{outlets: 5, within: 20m}`: send one `burst` event, and mark the list's alerts urgent for that long"
    )

    @model_validator(mode="after")
    def _has_terms(self) -> WatchList:
        if not self.places and not self.keywords:
            raise ValueError("a watch-list needs at least one place or keyword")
        if (self.match == "all" or self.near) and not (self.places and self.keywords):
            raise ValueError("match: all and near need both places and keywords")
        if any(isinstance(p, Term) and p.verbs for p in self.places):
            raise ValueError("verbs: only a keyword is conjugated, not a place")
        return self


class FeedConfig(Model):
    """An RSS or Atom feed polled over HTTP."""

    name: Name = Field(description="unique among sources; alerts carry it as `report.source`")
    url: HttpUrl = Field(description="http or https URL of the feed")
    interval: Seconds = Field(300.0, gt=0, description="time between polls (each poll ±10% jitter)")
    timeout: Seconds = Field(30.0, gt=0, description="give up on a poll after this long in all")
    headers: dict[str, SecretStr] = Field({}, description="extra request headers, e.g. a cookie or API key (secret)")
    max_bytes: int = Field(10_000_000, gt=0, le=MAX_BYTES, description="a larger response is refused")
    timezone: TimeZone = Field("UTC", description="for dates that name no zone, e.g. `Asia/Damascus`")
    max_age: Seconds = Field(
        48 * 3600.0, gt=0, description="items published longer ago are recorded without alerting"
    )
    backfill: Literal["alert", "skip"] = Field(
        "alert", description="skip: record everything present at the first poll without alerting"
    )
    alert_after: Seconds = Field(
        6 * 3600.0, gt=0, description="failing this long sends a `source.unhealthy` event to the notifiers"
    )
    full_text: bool = Field(False, description="fetch each new entry's linked article and match its main text")
    allow_private: bool = Field(
        False,
        description="let full-text fetches and redirects to another host reach loopback, private and link-local addresses",
    )


class FolderConfig(Model):
    """A folder whose new or changed files are reports; files are never modified."""

    name: Name = Field(description="unique among sources")
    path: ConfigPath = Field(description="the folder to watch")
    interval: Seconds = Field(30.0, gt=0, description="time between scans")
    patterns: list[str] = Field(
        ["*.txt", "*.md", "*.html", "*.htm", "*.json", "*.eml", "*.xml", "*.rss", "*.atom"],
        description="file name patterns to read",
    )
    recursive: bool = Field(False, description="also read files in subfolders (not those whose names start with a dot)")
    max_bytes: int = Field(10_000_000, gt=0, le=MAX_BYTES, description="larger files are skipped")
    watch: bool = Field(True, description="react to new files at once (inotify), besides scanning every `interval`")
    settle: Seconds = Field(0.5, ge=0, description="a file is read once its size and time stay unchanged this long")
    max_age: Seconds = Field(
        48 * 3600.0, gt=0, description="reports dated longer ago are recorded without alerting"
    )
    backfill: Literal["alert", "skip"] = Field(
        "alert", description="skip: record the files present at the first scan without alerting"
    )
    follow_links: bool = Field(
        False, description="read files through links that lead out of the folder (off: such links are skipped)"
    )
    alert_after: Seconds = Field(
        6 * 3600.0, gt=0, description="files failing this long, none read since, send a `source.unhealthy` event"
    )


_CHANNEL = re.compile(r"^(?:@|(?:https?://)?(?:www\.)?t(?:elegram)?\.me/(?:s/)?)?([A-Za-z][A-Za-z0-9_]{3,31})/?$")


def channel_name(written: str) -> str | None:
    """The public channel `@name`, `t.me/name` or `https://t.me/s/name` names, if it names one."""
    found = _CHANNEL.match(written.strip())
    return found.group(1) if found else None


class TelegramConfig(FeedConfig):
    """A public Telegram channel, read from its web preview (`https://t.me/s/NAME`): no account,
    no API key. Each post is a report; the first poll reads back to `max_age`."""

    channel: str = Field(description="`@name` or a `t.me/name` link")
    url: HttpUrl = Field(
        "https://t.me/s/x", description="the preview's address: `https://t.me/s/NAME` unless given (a mirror of it)"
    )  # type: ignore[assignment]
    interval: Seconds = Field(120.0, gt=0, description="time between polls (each poll ±10% jitter)")
    alert_after: Seconds = Field(
        3600.0, gt=0, description="failing this long (the preview's layout changed, say) sends `source.unhealthy`"
    )

    @model_validator(mode="before")
    @classmethod
    def _url_of_channel(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("channel"), str):
            name = channel_name(data["channel"])
            if not name:
                raise ValueError(f"channel {data['channel']!r} is no public channel: write @name or https://t.me/name")
            return {"url": f"https://t.me/s/{name}", **data, "channel": name}
        return data


class SitemapConfig(FeedConfig):
    """A site's sitemap or news sitemap (`sitemap.xml`, an index of them, Google News' `news:`
    extension), polled like a feed: each new page it lists is fetched and read as a report."""

    full_text: bool = Field(True, description="fetch each new page and match its main text (a sitemap holds titles at most)")
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]+)?$")]] = Field(
        default_factory=list,
        description="read only pages whose `news:language` is one of these (`[ar]` on a site that publishes in"
        " several); a page that gives none is read; empty: every language",
    )


class PageConfig(FeedConfig):
    """A site's listing page (its latest news) polled like a feed, each item found by CSS selectors a report."""

    item: str = Field(description="CSS selector of one item: `article.news-item`, `ul.latest > li`")
    title: str | None = Field(None, description="within an item: its title; default: its first heading or link")
    link: str | None = Field(None, description="within an item: its link; default: its first `a[href]`")
    date: str | None = Field(None, description="within an item: its date (`datetime` or text, Arabic months too); default: `time`")
    text: str | None = Field(None, description="within an item: its text; default: all of it")

    @field_validator("item", "title", "link", "date", "text")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        if value is not None:
            from rasid.sources.listing import selector

            selector(value)
        return value


class Sources(Model):
    feeds: list[FeedConfig] = []
    folders: list[FolderConfig] = []
    telegram: list[TelegramConfig] = Field([], description="public Telegram channels")
    sitemaps: list[SitemapConfig] = Field([], description="sites' news sitemaps")
    pages: list[PageConfig] = Field([], description="sites' listing pages, read with CSS selectors")


_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d*)\s*(s|m|h)\s*$")


def parse_rate(value: Any) -> float | None:
    """`1/s`, `30/m`, `2/10s` -> requests per second."""
    if value is None or isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if value is None else float(value)
    m = _RATE.match(str(value))
    if not m:
        raise ValueError(f"invalid rate {value!r}: use requests per time, e.g. 1/s, 30/m, 5/2s")
    per = float(m.group(2) or 1) * _UNIT_SECONDS[m.group(3)]
    return float(m.group(1)) / per


Rate = Annotated[float | None, BeforeValidator(parse_rate)]
"""Requests per second, written `1/s`, `30/m` or `5/2s`."""
Format = Literal["json", "slack", "discord", "teams", "telegram", "mattermost"]
DEFAULT_RATES: dict[str, float] = {"slack": 1.0, "discord": 1.0, "telegram": 1.0, "teams": 1.0, "mattermost": 1.0}
"""What each service tolerates per webhook or chat, when `rate` is not set."""


ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class QuietHours(Model):
    """Hours in which a notifier's alerts wait for the morning, unless urgent (a burst)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, populate_by_name=True)

    start: ClockTime = Field(alias="from", description="`22:00`: from this time of day")
    end: ClockTime = Field(alias="to", description="`06:00`: to this one (the next day when earlier)")
    timezone: TimeZone = Field("UTC", description="whose clock: `Asia/Aden`")

    @model_validator(mode="after")
    def _some_hours(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("from and to must differ")
        return self

    def holds(self, moment: float) -> bool:
        """Whether the Unix time `moment` falls in these hours."""
        from datetime import datetime
        from zoneinfo import ZoneInfo

        local = datetime.fromtimestamp(moment, ZoneInfo(self.timezone))
        now, start, end = local.hour * 60 + local.minute, _minutes(self.start), _minutes(self.end)
        return start <= now < end if start < end else now >= start or now < end


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class BriefSchedule(Model):
    """A summary sent on a schedule: counts by watch-list, governorate and keyword, the top
    stories, what is new, and source problems."""

    at: ClockTime = Field("07:00", description="the time of day of the first brief of each day")
    every: Seconds = Field(86400.0, ge=3600, description="one brief per this period from `at` (`12h`: 07:00 and 19:00)")
    timezone: TimeZone = Field("UTC", description="whose clock: `Asia/Aden`")

    def latest(self, now: float) -> float:
        """The last scheduled moment at or before the Unix time `now`."""
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        local = datetime.fromtimestamp(now, ZoneInfo(self.timezone))
        hours, minutes = self.at.split(":")
        first = local.replace(hour=int(hours), minute=int(minutes), second=0, microsecond=0)
        if first > local:
            first -= timedelta(days=1)
        steps = int((local - first).total_seconds() // self.every)
        return (first + timedelta(seconds=steps * self.every)).timestamp()


class NotifierBase(Model):
    """What every notifier has: a name, and when and in which words its messages go."""

    name: Name = Field(description="what watch-lists' `notify` refer to")
    digest: Seconds | None = Field(None, gt=0, description="batch alerts into one message per period, e.g. `15m`")
    one_per: Literal["report", "watchlist"] = Field(
        "report", description="report: a report that fires several watch-lists is one message naming them all; watchlist: one each"
    )
    quiet: QuietHours | None = Field(None, description="`{from: \"22:00\", to: \"06:00\", timezone: Asia/Aden}`: alerts wait until `to`, bursts do not")
    brief: BriefSchedule | None = Field(None, description="`{at: \"07:00\", timezone: Asia/Aden}`: a summary each day (or `every:`)")
    language: Language = Field("en", description="the labels: `en` or `ar` (المصدر، الأماكن ...)")
    timezone: TimeZone | None = Field(None, description="show times in this zone (`Asia/Aden`); default: as UTC ISO 8601")

    @property
    def enabled(self) -> bool:
        return True


class RemoteNotifier(NotifierBase):
    """A notifier that reaches a service over the network: paced, timed out, watched for failing."""

    timeout: Seconds = Field(30.0, gt=0, description="give up on an attempt after this long")
    rate: Rate = Field(None, description="at most this many messages, e.g. `1/s`")
    alert_after: Seconds = Field(
        3600.0, gt=0, description="failing this long raises an error log line and a `notifier.failing` event"
    )

    @property
    def requests_per_second(self) -> float | None:
        return self.rate


class WebhookNotifier(RemoteNotifier):
    """POSTs each alert, signed (Standard Webhooks) when a secret is set, in the receiver's format."""

    type: Literal["webhook"]
    url: HttpUrl = Field(description="http or https URL to POST to; empty disables the notifier")
    format: Format = Field("json", description="json, slack, discord, teams, telegram or mattermost")
    chat_id: str | None = Field(None, description="for `format: telegram`: the chat to post to")
    secret: SecretStr | None = Field(None, description="signing secret, `whsec_<base64>` or any string")
    headers: dict[str, SecretStr] = Field({}, description="extra request headers (values are secret)")
    timeout: Seconds = Field(10.0, gt=0, description="give up on an attempt after this long")
    rate: Rate = Field(None, description="at most this many requests, e.g. `1/s`; default 1/s for chat services")
    template: str | None = Field(
        None, description="Jinja2 template of the message text (of the whole body for `format: json`)"
    )

    @field_validator("template")
    @classmethod
    def _template_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            from rasid.delivery.formats.template import compile_template

            compile_template(value)
        return value

    @property
    def requests_per_second(self) -> float | None:
        return self.rate if self.rate is not None else DEFAULT_RATES.get(self.format)

    @model_validator(mode="after")
    def _telegram_chat(self) -> WebhookNotifier:
        if self.format == "telegram" and not self.chat_id:
            raise ValueError("format: telegram needs a chat_id")
        return self

    @property
    def enabled(self) -> bool:
        return bool(self.url)


class ConsoleNotifier(NotifierBase):
    """Prints each alert to standard output."""

    type: Literal["console"]


EmailAddress = Annotated[str, Field(pattern=r"^[^@\s<>]+@[^@\s<>]+$")]


class EmailNotifier(RemoteNotifier):
    """Sends each alert (or each digest) as an email over SMTP."""

    type: Literal["email"]
    host: str = Field(min_length=1, description="the SMTP server (your provider's or a relay)")
    port: int | None = Field(None, ge=1, le=65535, description="default: 587 with starttls, 465 with tls, 25 with none")
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls (port 587), tls (port 465), or none: only to a server on this machine"
    )
    username: str | None = Field(None, description="to log in with; default: no login")
    password: SecretStr | None = Field(None, description="its password (secret: use `${VAR}`, a file or a credential)")
    sender: EmailAddress = Field(description="the From address, one your server may send as")
    to: list[EmailAddress] = Field(min_length=1, description="the recipients")
    subject_prefix: str = Field("[rasid]", description="before each subject, for mail filters")

    @model_validator(mode="after")
    def _plain_only_here(self) -> EmailNotifier:
        if self.security == "none" and self.host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("security: none sends the password and the news in clear: only to 127.0.0.1, ::1 or localhost")
        if self.password is not None and self.username is None:
            raise ValueError("a password needs a username")
        return self

    @property
    def smtp_port(self) -> int:
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.security]


class AppriseNotifier(RemoteNotifier):
    """Sends each alert through Apprise to any of the services it knows (Signal, Matrix, ntfy,
    Gotify, Pushover, SMS gateways ...), by their Apprise URLs."""

    type: Literal["apprise"]
    urls: list[SecretStr] = Field(min_length=1, description="Apprise URLs (`ntfy://…`, `matrixs://…`); secret: they hold tokens")

Notifier = Annotated[WebhookNotifier | ConsoleNotifier | EmailNotifier | AppriseNotifier, Field(discriminator="type")]


class DeliveryConfig(Model):
    """How the outbox is worked."""

    interval: Seconds = Field(2.0, gt=0, description="how often the outbox is checked for due alerts")
    max_age: Seconds = Field(86400.0, gt=0, description="an alert still undelivered after this long is dead")
    retry: list[Seconds] = Field(
        [5.0, 30.0, 120.0, 600.0, 1800.0, 3600.0],
        min_length=1,
        description="wait after the 1st, 2nd ... failed attempt (±10% jitter); the last repeats",
    )


class ArchiveConfig(Model):
    """Every report kept, compressed, for `rasid replay`, `diff-config` and `explain`."""

    enabled: bool = Field(True, description="`archive: false` turns the archive off")
    retention: Seconds = Field(30 * 86400.0, gt=0, description="how long reports are kept")

    @model_validator(mode="before")
    @classmethod
    def _from_bool(cls, data: Any) -> Any:
        return {"enabled": data} if isinstance(data, bool) else data


class ConsoleUser(Model):
    """A person who may use the console, the alerts API and the feeds."""

    name: str = Field(pattern=r"^[^\s:]{1,64}$", description="the name to sign in with")
    password_hash: SecretStr | None = Field(
        None,
        description="the Argon2 hash `rasid passwd` prints, never the password (secret: use `${VAR}` or a file);"
        " none for a user only a trusted proxy signs in",
    )
    read_only: bool = Field(False, description="may read, but not triage, retry or purge")

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("$argon2"):
            raise ValueError("must be an Argon2 hash as `rasid passwd` prints it ($argon2id$...), not a password")
        return value


class TrustedProxy(Model):
    """A reverse proxy that signs people in (single sign-on) and names them in a header."""

    header: str = Field(pattern=r"^[A-Za-z0-9-]+$", description="the header naming the user: `X-Forwarded-User`, `Remote-User`")
    trusted: list[str] = Field(
        ["127.0.0.1", "::1"], min_length=1, description="addresses (or networks) the proxy connects from; the header is ignored from any other"
    )
    read_only: bool = Field(False, description="whether users the proxy names but `users` does not list are read-only")

    @field_validator("trusted")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is no IP address or network") from None
        return value


class HttpConfig(Model):
    """The health and metrics endpoint, and the console with its API and feeds."""

    listen: str = Field(
        "127.0.0.1:9464", pattern=r"^[^:\s]+:\d{1,5}$", description="address:port serving /healthz and /metrics"
    )
    users: list[ConsoleUser] = Field(
        [], description="who may sign in; with users or a proxy the console asks who you are, on any address"
    )
    proxy: TrustedProxy | None = Field(None, description="a reverse proxy that signs people in and names them")
    session: Seconds = Field(12 * 3600.0, gt=0, description="how long a sign-in lasts")

    @field_validator("users")
    @classmethod
    def _unique(cls, value: list[ConsoleUser]) -> list[ConsoleUser]:
        names = [u.name for u in value]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"user names must differ: {', '.join(twice)} given twice")
        return value

    @property
    def signs_in(self) -> bool:
        """Whether the console asks who people are."""
        return bool(self.users) or self.proxy is not None


class StorageConfig(Model):
    """Where the state lives: the SQLite file in `state_dir` unless a PostgreSQL URL is given."""

    url: SecretStr | None = Field(
        None,
        description="`postgresql://user:password@host:5432/db`: several instances share this state (secret; use `${VAR}`)",
    )
    lease_ttl: Seconds = Field(
        30.0, ge=3, description="with PostgreSQL: how long a source lease or outbox claim outlives its instance"
    )

    @field_validator("url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        """`url: "${RASID_DATABASE_URL:-}"` with the variable unset: the SQLite file."""
        return None if value == "" else value

    @field_validator("url")
    @classmethod
    def _postgres_only(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("postgresql://", "postgres://")):
            raise ValueError("only postgresql:// URLs are supported; leave `url` out for the SQLite file")
        return value


class DedupConfig(Model):
    """How near-duplicates (the same story from several outlets) are recognised and handled."""

    similarity: float = Field(
        0.3, gt=0, le=1, description="Jaccard similarity of word 3-shingles from which two reports are one story"
    )
    containment: float = Field(
        0.8, gt=0, le=1, description="or this share of the shorter report's shingles found in the other (a cut copy)"
    )
    on_duplicate: Literal["record", "update", "drop"] = Field(
        "record",
        description="record: list it as another source of the story; update: also send a `story.updated`"
        " event; drop: only mark it seen",
    )
    window: Seconds = Field(7 * 86400.0, gt=0, description="how long fingerprints are kept and compared")


class Config(Model):
    """The whole config file."""

    state_dir: ConfigPath = Field(
        Path("state"), validate_default=True, description="where the SQLite database lives"
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="least severe log line written")
    log_format: Literal["text", "json"] = Field("text", description="text: `event key=value` lines; json: one object a line")
    http: HttpConfig | None = Field(None, description="serve /healthz and /metrics; see below")
    sources: Sources = Field(default_factory=Sources, description="`feeds` and `folders`, below")
    watchlists: list[WatchList] = Field(min_length=1, description="at least one; see below")
    notifiers: list[Notifier] = Field(default_factory=list, description="where alerts go; see below")
    gazetteer: GazetteerConfig = Field(default_factory=GazetteerConfig, description="additions to the bundled gazetteer")
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig, description="see below")
    dedup: DedupConfig = Field(default_factory=DedupConfig, description="see below")
    archive: ArchiveConfig = Field(default_factory=ArchiveConfig, description="see below; `false` turns it off")
    storage: StorageConfig = Field(default_factory=StorageConfig, description="see below; SQLite unless a PostgreSQL `url` is set")

    def cross_check(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Problems that span several entries, each with its location."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        seen: dict[str, tuple[str | int, ...]] = {}
        named: list[tuple[tuple[str | int, ...], str]] = [
            *((("sources", "feeds", i, "name"), f.name) for i, f in enumerate(self.sources.feeds)),
            *((("sources", "telegram", i, "name"), f.name) for i, f in enumerate(self.sources.telegram)),
            *((("sources", "sitemaps", i, "name"), f.name) for i, f in enumerate(self.sources.sitemaps)),
            *((("sources", "pages", i, "name"), f.name) for i, f in enumerate(self.sources.pages)),
            *((("sources", "folders", i, "name"), f.name) for i, f in enumerate(self.sources.folders)),
        ]
        for loc, name in named:
            if name in seen:
                problems.append((loc, f"duplicate source name {name!r}"))
            seen[name] = loc
        for kind, items in (("watchlists", self.watchlists), ("notifiers", self.notifiers)):
            names: set[str] = set()
            for i, item in enumerate(items):
                if item.name in names:
                    problems.append(((kind, i, "name"), f"duplicate name {item.name!r}"))
                names.add(item.name)
        notifier_names = {n.name for n in self.notifiers}
        for i, wl in enumerate(self.watchlists):
            for j, target in enumerate(wl.notify or []):
                if target not in notifier_names:
                    problems.append((("watchlists", i, "notify", j), f"no notifier named {target!r}{did_you_mean(target, notifier_names)}"))
        return problems


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """`; did you mean …?` with the options closest to a misspelt `word`, or nothing."""
    close = difflib.get_close_matches(word, sorted(options), n=2, cutoff=0.75)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _field_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    """The keys of `model` and of every model inside it."""
    seen.add(model)
    names = set(model.model_fields)
    for info in model.model_fields.values():
        stack = [info.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
                names |= _field_names(tp, seen)
            stack.extend(get_args(tp))
    return names


FIELD_NAMES = frozenset(_field_names(Config, set()))
"""Every key a config may hold, somewhere: what an unknown key is compared with."""
