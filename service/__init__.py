"""The application layer: what every face uses — the services, the report and staff-desk
effects performed, the outbox, digests, packets and the scheduled rounds; channel-neutral."""
