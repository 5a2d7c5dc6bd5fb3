"""One blueprint per resource: thin views."""
