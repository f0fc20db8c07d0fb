"""The ``userapi`` command: one argparse tree for the whole lifecycle of the stack.

Each subcommand is a module of ``userapi_cli.commands`` registered in its
``COMMANDS`` table; ``userapi_cli.main`` is the one boundary that turns every
user mistake or AWS refusal into one line on stderr and an exit status.
"""
