"""Joint meetings, action items, information-sharing agreements and the 24/7 contact directory."""
