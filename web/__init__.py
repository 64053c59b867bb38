"""The web console adapter: the staff console and the public statistics page, an aiohttp server
over the application layer (beside the bot in one process), pages rendered from Jinja2
templates."""
