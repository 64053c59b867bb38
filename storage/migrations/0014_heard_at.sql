-- When each chat last wrote to us: WhatsApp lets a business send free-form messages only within
-- 24 hours of the person's last message (later, an approved template). Kept per chat beside its
-- language; NULL for chats that never wrote since (Telegram chats have no such window).
ALTER TABLE chats ADD COLUMN heard_at TEXT;
