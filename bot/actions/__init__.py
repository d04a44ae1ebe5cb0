"""Custom actions for the Rasa SDK action server."""
