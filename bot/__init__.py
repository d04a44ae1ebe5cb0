"""The Rasa assistant."""
