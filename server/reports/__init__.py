"""PDF reports: views, who may download which, and one query module per report."""
