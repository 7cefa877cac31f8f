"""Getting alerts out: the outbox worker and the notifiers it sends through."""

from rasid.delivery.outbox import OutboxWorker, retry_delay
from rasid.delivery.payload import alert_document, alert_id
from rasid.delivery.senders import (
    ConsoleSender,
    Sender,
    SendResult,
    WebhookSender,
    build_senders,
)

__all__ = [
    "ConsoleSender",
    "OutboxWorker",
    "SendResult",
    "Sender",
    "WebhookSender",
    "alert_document",
    "alert_id",
    "build_senders",
    "retry_delay",
]
