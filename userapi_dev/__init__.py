"""Development helpers shared by tests, benchmarks and the local server.

Never shipped to Lambda and never imported by the template builder.
"""
