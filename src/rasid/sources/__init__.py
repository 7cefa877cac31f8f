"""Where reports come from: feeds polled over HTTP (`feeds.FeedSource`) and folders on disk
(`folders.FolderSource`). Nothing is imported here, so that what reads one file (`decode`) does
not load the HTTP stack."""
