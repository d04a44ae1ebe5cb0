"""safety domain.

The deterministic red-flag screen (``api.safety.screen.RedFlagScreen``): run on every inbound
message before the NLU; its reviewed content lives in ``api/safety/data/redflags.yaml``. See
docs/adr/0003-red-flag-screen.md. Importing this package builds nothing.
"""
