"""userapi_stack: synthesizes the CloudFormation template of the Users API.

Synthesis is pure: no AWS calls, no clock, no randomness, so two runs give
byte-identical output.
"""
