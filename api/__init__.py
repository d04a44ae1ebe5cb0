"""plainrecord's service: record store, portal, chat relay, escalation queue."""
