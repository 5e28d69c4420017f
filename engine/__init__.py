"""The politirad domain: models, workflow runtime, services, access policy and audit chain.

Nothing in this package imports Flask; the web layer, the CLI and the scheduler
all call the same services.
"""
