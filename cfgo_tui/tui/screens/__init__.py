"""Modal screens: help, publish form, subscribe with options, export."""
