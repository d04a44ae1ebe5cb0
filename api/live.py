"""Live updates for the staff dashboard: Redis pub/sub, best-effort.

The escalation domain calls :meth:`LiveBus.publish` (through its ``notify`` hook) after it has
committed, so Redis being down can delay a dashboard update but never loses an escalation. The
dashboard's server-sent-events endpoint reads :meth:`LiveBus.listen`; when Redis is unreachable it
raises :class:`LiveUnavailable` and the page falls back to reloading.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import redis
import redis.asyncio as aioredis

log = logging.getLogger("plainrecord.live")

CHANNEL = "plainrecord:escalations"


class LiveUnavailable(RuntimeError):
    """Redis is not configured or not reachable."""


class LiveBus:
    """Publishes escalation events and streams them to dashboards.

    Args:
        url: the Redis URL, or None when live updates are switched off.
        channel: the pub/sub channel.
        timeout_seconds: socket timeouts, kept short: publishing sits on a request's path.
        backoff_seconds: after a failed publish, skip Redis for this long (so an outage does not
            add a connect timeout to every escalation).
    """

    def __init__(self, url: str | None, channel: str = CHANNEL, timeout_seconds: float = 0.5,
                 backoff_seconds: float = 5.0) -> None:
        self.url = url
        self.channel = channel
        self._timeout = timeout_seconds
        self._backoff = backoff_seconds
        self._client: redis.Redis | None = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _sync_client(self) -> redis.Redis:
        with self._lock:
            if self._client is None:
                assert self.url is not None
                self._client = redis.Redis.from_url(
                    self.url, socket_timeout=self._timeout, socket_connect_timeout=self._timeout
                )
            return self._client

    def publish(self, payload: Mapping[str, Any]) -> bool:
        """Publish one event; returns False (never raises) when Redis is off or unreachable."""
        if not self.url or time.monotonic() < self._down_until:
            return False
        try:
            self._sync_client().publish(self.channel, json.dumps(dict(payload)))
        except redis.RedisError as exc:
            self._down_until = time.monotonic() + self._backoff
            log.warning("live publish failed event=%s error=%s", payload.get("type"),
                        type(exc).__name__)
            return False
        return True

    async def listen(self, heartbeat_seconds: float = 15.0) -> AsyncIterator[dict[str, Any] | None]:
        """Yield ``{"type": "subscribed"}`` once listening, then each published event, and
        None after every ``heartbeat_seconds`` of silence (so callers can check the client).

        Raises:
            LiveUnavailable: Redis is not configured, or the connection fails (at start or later).
        """
        if not self.url:
            raise LiveUnavailable("live updates are not configured")
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=self._timeout)
        pubsub = client.pubsub()
        try:
            try:
                await pubsub.subscribe(self.channel)
                # Wait for Redis to confirm, so nothing published after we say "subscribed"
                # can be missed.
                confirmed = None
                while confirmed is None or confirmed.get("type") != "subscribe":
                    confirmed = await pubsub.get_message(timeout=max(self._timeout, 1.0))
                    if confirmed is None:
                        raise LiveUnavailable("no subscription confirmation")
            except (redis.RedisError, OSError) as exc:
                raise LiveUnavailable(type(exc).__name__) from exc
            yield {"type": "subscribed"}
            while True:
                try:
                    message = await pubsub.get_message(timeout=heartbeat_seconds)
                except (redis.RedisError, OSError) as exc:
                    raise LiveUnavailable(type(exc).__name__) from exc
                if message is None:
                    yield None
                    continue
                if message.get("type") != "message":
                    continue
                try:
                    data = json.loads(message["data"])
                except (TypeError, ValueError):
                    continue
                if isinstance(data, dict):
                    yield data
        finally:
            try:
                await pubsub.aclose()
                await client.aclose()
            except (redis.RedisError, OSError):
                pass

    def close(self) -> None:
        """Close the publishing connection pool."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
