"""The benchmark's baseline: the same app with the audit of a lead's reads switched off.

Only code can switch it off (no environment variable does), so a deployment cannot.
"""

from server import create_app

app = create_app({"AUDIT_LEAD_READS": False})
