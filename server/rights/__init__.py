"""The person's rights: reading the audit trail, export, erasure, retention, a school's export."""
