"""Imported once by the forkserver the report layouts fork from (reports.render): parse the
stylesheet and lay out a line, so fonts and caches are loaded before any child is forked."""

from __future__ import annotations

from reports import render

# Headings, emphasis, a table, digits, Arabic and an emoji: the faces every report uses.
render.html_to_pdf(
    "<h1>Lesson Loop</h1><h2>Notes</h2><h3>Next steps</h3><p><strong>Seen</strong> "
    '<em>partly</em> 12:05 \u0645\u0644\u0627\u062d\u0638\u0629 <span class="emoji">'
    "\U0001f44d</span></p><table><tr><th>Focus</th><td>Questioning</td></tr></table>"
)
