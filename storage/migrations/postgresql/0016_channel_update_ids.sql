-- Inbox ids for the messages of webhook channels whose own ids are strings (WhatsApp): drawn in
-- the order the ingress keeps them, so a chat's messages are handled in that order.
CREATE TABLE channel_update_ids (
    id BIGSERIAL PRIMARY KEY
);
