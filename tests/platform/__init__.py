"""The bot as a program: architecture, command line, settings, data files, the fake Bot API, the sandbox, security, logs, callback wiring."""
