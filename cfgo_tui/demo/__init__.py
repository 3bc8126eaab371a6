"""`cfgo-tui demo`: a local Centrifugo with live traffic, for a first run without a server."""
