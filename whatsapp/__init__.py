"""The WhatsApp adapter (the WhatsApp Business Cloud API): the webhook in, the core's replies as
WhatsApp messages out, files by media id, and the outbox's sender with the 24-hour window."""
