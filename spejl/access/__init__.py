"""Who may see and do what: the acting user, per-organisation scoping, and 404 for the rest.

See ``docs/access.md`` for the access matrix that the URL-walking test enforces.
"""
