"""cfgo-tui: the terminal cockpit for Centrifugo."""

__version__ = "0.1.0"
