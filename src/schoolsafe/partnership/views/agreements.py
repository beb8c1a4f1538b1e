"""Pages: agreements."""
