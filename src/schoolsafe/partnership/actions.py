"""Every write to the partnership records."""
