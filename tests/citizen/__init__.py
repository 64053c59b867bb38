"""The citizen's side: the report conversation, places, dates, decisions, filing."""
