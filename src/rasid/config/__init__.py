"""Loading and validating config.yaml."""

from rasid.config.loader import (
    SENDING,
    ambiguous_area,
    default_config_path,
    load_config,
)
from rasid.config.models import (
    Config,
    ConsoleNotifier,
    FeedConfig,
    FolderConfig,
    Notifier,
    Term,
    WatchList,
    WebhookNotifier,
    format_duration,
    parse_duration,
)
from rasid.config.yamlfile import ConfigError

__all__ = [
    "SENDING",
    "ambiguous_area",
    "Config",
    "ConfigError",
    "ConsoleNotifier",
    "FeedConfig",
    "FolderConfig",
    "Notifier",
    "Term",
    "WatchList",
    "WebhookNotifier",
    "default_config_path",
    "format_duration",
    "load_config",
    "parse_duration",
]
