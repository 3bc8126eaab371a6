"""Everything Textual: the app, its screens and widgets, and the bridge to the client."""
