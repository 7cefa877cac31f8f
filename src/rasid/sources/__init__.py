"""Where reports come from: feeds polled over HTTP and folders on disk."""

from rasid.sources.feeds import FeedPoll, FeedSource
from rasid.sources.folders import FolderScan, FolderSource

__all__ = ["FeedPoll", "FeedSource", "FolderScan", "FolderSource"]
