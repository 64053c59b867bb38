"""The staff web console and the public statistics page: an aiohttp server in the bot's own
process, pages rendered on the server from Jinja2 templates."""
