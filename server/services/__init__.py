"""Transactions and side effects; never touch `request` or `g`."""
