"""The `cfgo-tui` command line: the app by default, headless subcommands beside it."""
