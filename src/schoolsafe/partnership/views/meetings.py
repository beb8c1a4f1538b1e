"""Pages: meetings."""
