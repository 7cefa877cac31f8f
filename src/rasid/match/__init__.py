"""Arabic-aware watch-list matching: compile once, match many texts."""

from rasid.match.matcher import Matcher

__all__ = ["Matcher"]
