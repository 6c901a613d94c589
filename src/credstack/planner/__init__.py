"""The pathway planner: choose and order credentials that close a skills gap (pure: no I/O)."""
