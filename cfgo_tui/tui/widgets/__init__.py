"""Widgets of the main screen; each reads the store, none speaks the wire protocol."""
