"""Chat relay: screen a message, then relay it to Rasa with the conversation grant."""
