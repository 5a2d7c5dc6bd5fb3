"""marshmallow schemas: the wire contract of API v1 (no Flask imports here)."""
