"""The daemon's HTTP side: health and metrics, the alerts API and Atom feeds (`app.py`), served
inside the daemon's own event loop (`server.py`)."""
