"""The SRO program pages (one module per part: `program`, `equity`)."""
