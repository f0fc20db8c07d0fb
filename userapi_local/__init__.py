"""The Users API on localhost, driven by the synthesized CloudFormation template.

What ``sam local start-api`` and ``chalice local`` offer, without Docker: a
threaded HTTP server that reads the template (no second route list), plays
API Gateway (routing, SigV4 on AWS_IAM methods, request models, CORS
preflights, gateway responses) and calls the real handler modules in-process
against moto (or a DynamoDB endpoint you give it).
"""
