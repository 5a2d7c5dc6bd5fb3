"""Reminders (Web Push): events, schedule, jobs, subscriptions, delivery and the worker."""
