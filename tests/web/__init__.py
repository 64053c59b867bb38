"""The web console and the public statistics."""
