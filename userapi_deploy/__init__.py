"""Package the handlers, review a change set and deploy the Users API stack.

``userapi deploy`` (and ``scripts/deploy.py``) is the entry point; ``flow`` holds the flow. One
module per concern: packaging (reproducible zip), bucket (artifact store),
synthesis (the template, in-process), parameters, account (API Gateway's
region-wide logging role), changeset, review (tables and diffs), events
(streaming) and errors (exit codes).
"""
