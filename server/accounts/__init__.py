"""Accounts: sign-in, devices, the admin directory, staff rosters."""
