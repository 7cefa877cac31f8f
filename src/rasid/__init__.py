"""rasid: a monitoring and alerting daemon for Arabic news."""

__version__ = "0.1.0"
