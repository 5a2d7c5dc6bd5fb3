"""Test support: the throwaway PostgreSQL cluster, databases, factories, a live server."""
