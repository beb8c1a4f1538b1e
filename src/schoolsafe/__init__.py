"""SchoolSafe: school safety, run together by a police department and its school districts."""

__version__ = "0.1.0"
