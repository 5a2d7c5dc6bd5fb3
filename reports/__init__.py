"""PDF reports: plain data -> HTML (Jinja, autoescaped) -> PDF (WeasyPrint), charts as SVG."""
