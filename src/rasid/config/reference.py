"""The configuration reference in Markdown, written from the config models themselves."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from rasid.config.models import (
    AppriseNotifier,
    ArchiveConfig,
    BriefSchedule,
    Config,
    ConsoleNotifier,
    ConsoleUser,
    CustomPlace,
    DedupConfig,
    DeliveryConfig,
    EmailNotifier,
    Example,
    FeedConfig,
    FolderConfig,
    GazetteerConfig,
    HttpConfig,
    PageConfig,
    PlaceSet,
    QuietHours,
    SitemapConfig,
    Sources,
    StorageConfig,
    TelegramConfig,
    Term,
    TrustedProxy,
    WatchList,
    WebhookNotifier,
    format_duration,
)

SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("top level", Config),
    ("`sources.feeds[]`", FeedConfig),
    ("`sources.telegram[]`", TelegramConfig),
    ("`sources.sitemaps[]`", SitemapConfig),
    ("`sources.pages[]`", PageConfig),
    ("`sources.folders[]`", FolderConfig),
    ("`watchlists[]`", WatchList),
    ("places and keywords", Term),
    ("gazetteer places in `places`", PlaceSet),
    ("`notifiers[]` with `type: webhook`", WebhookNotifier),
    ("`notifiers[]` with `type: console`", ConsoleNotifier),
    ("`notifiers[]` with `type: email`", EmailNotifier),
    ("`notifiers[]` with `type: apprise`", AppriseNotifier),
    ("`notifiers[].brief`", BriefSchedule),
    ("`notifiers[].quiet`", QuietHours),
    ("`delivery`", DeliveryConfig),
    ("`dedup`", DedupConfig),
    ("`http`", HttpConfig),
    ("`http.users[]`", ConsoleUser),
    ("`http.proxy`", TrustedProxy),
    ("`archive`", ArchiveConfig),
    ("`storage`", StorageConfig),
    ("`watchlists[].tests[]`", Example),
    ("`gazetteer.places[]`", CustomPlace),
]


_MODEL_NAMES: dict[type, str] = {
    Sources: "sources",
    DeliveryConfig: "delivery",
    DedupConfig: "dedup",
    HttpConfig: "http",
    ArchiveConfig: "archive",
    StorageConfig: "storage",
    Example: "example",
    Term: "term",
    WatchList: "watch-list",
    PlaceSet: "place set",
    GazetteerConfig: "gazetteer",
    CustomPlace: "place",
    ConsoleUser: "user",
    TrustedProxy: "proxy",
    WebhookNotifier: "notifier",
    ConsoleNotifier: "notifier",
    EmailNotifier: "notifier",
    AppriseNotifier: "notifier",
    QuietHours: "quiet hours",
    BriefSchedule: "brief",
}


def reference_markdown() -> str:
    """One table per section: key, type, default, meaning."""
    out = []
    for title, model in SECTIONS:
        doc = (model.__doc__ or "").strip()
        out += [f"### {title}", "", doc, "", "| key | type | default | meaning |", "|---|---|---|---|"]
        for name, field in sorted(model.model_fields.items(), key=lambda item: _place(model, item[0])):
            out.append(f"| `{field.alias or name}` | {_type_name(field)} | {_default(field)} | {field.description or ''} |")
        out.append("")
    return "\n".join(out).strip() + "\n"


def _place(model: type[BaseModel], name: str) -> int:
    """Where a key is listed: name and type first, then the model's own keys, then those every
    model of its kind shares (a notifier's `digest`, `quiet` ...)."""
    if name in ("name", "type"):
        return ("name", "type").index(name)
    return 2 if name in model.__dict__.get("__annotations__", {}) else 3


def _type_name(field: FieldInfo) -> str:
    meta = " ".join(str(m) for m in field.metadata)
    for marker, name in (("parse_duration", "duration"), ("parse_rate", "rate"), ("_resolve_path", "path")):
        if marker in meta:
            return name
    return _annotation_name(field.annotation)


def _annotation_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        meta = " ".join(str(a) for a in args[1:])
        for marker, name in (("parse_duration", "duration"), ("parse_rate", "rate"), ("_resolve_path", "path")):
            if marker in meta:
                return name
        return _annotation_name(args[0])
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if origin in (typing.Union, types.UnionType):
        names = dict.fromkeys(_annotation_name(a) for a in args if a is not type(None))
        return " or ".join(names)
    if origin is list:
        return f"list of {_annotation_name(args[0])}"
    if origin is dict:
        return f"map of {_annotation_name(args[1])}"
    if tp is SecretStr:
        return "secret string"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _MODEL_NAMES.get(tp, tp.__name__)
    if isinstance(tp, type):
        return {str: "string", int: "integer", float: "number", bool: "boolean", Path: "path"}.get(tp, tp.__name__)
    return str(tp)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined or value is None:
        return ""
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, float) and field.metadata and "parse_duration" in " ".join(map(str, field.metadata)):
        return f"`{format_duration(value)}`"
    if isinstance(value, list) and not value:
        return ""
    if isinstance(value, list) and _type_name(field) == "list of duration":
        return "`[" + ", ".join(format_duration(v) for v in value) + "]`"
    return f"`{value}`"
