"""The Users API Lambda handlers: standard library and boto3 only."""
