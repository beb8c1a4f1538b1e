"""Assignment, coverage, MOU and activity pages."""
