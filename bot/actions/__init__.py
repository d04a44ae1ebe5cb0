"""plainrecord's custom actions, one module per concern (rasa-sdk imports every module here).

Actions are thin: fetch through the API (``record_client``), explain with the glossary, format.
They never import ``api`` or ``rasa``, and build nothing at import time.
"""
