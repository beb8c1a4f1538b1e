"""MOU register pages."""
