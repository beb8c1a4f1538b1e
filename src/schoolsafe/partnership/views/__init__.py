"""The partnership pages (one module per part: `meetings`, `agreements`)."""
