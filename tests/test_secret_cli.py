"""``userapi secret`` and the deploy's secrets check, against a real moto_server.

The value goes in through stdin or a no-echo prompt and comes back out only
in the handler's configuration (decrypted, through the handler's own
reader): never on stdout, stderr or in an error line.
"""

from __future__ import annotations

import io
import sys
from typing import Any

import boto3
import pytest
from users import config as handler_config

from userapi_cli.main import main
from userapi_deploy import cli as deploy_cli
from userapi_deploy import secret_store, synthesis
from userapi_deploy.errors import DeployError
from userapi_dev.moto_server import reset
from userapi_dev.moto_template import moto_template
from userapi_stack.handler_code import settings_module

REGION = "us-east-1"
KEY = "PAGINATION_KEY"
PARAMETER = "/dev/api/PAGINATION_KEY"
BUCKET = "secret-test-artifacts"
VALUE = "a-hand-made-pagination-key-of-48-characters-abcd"


class _Stdin(io.StringIO):
    def __init__(self, text: str, tty: bool = False) -> None:
        super().__init__(text)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.fixture
def endpoint(server: str) -> str:
    reset(server)
    return server


def _ssm(endpoint: str) -> Any:
    return boto3.client("ssm", endpoint_url=endpoint, region_name=REGION)


def _secret(endpoint: str, *argv: str, stdin: str = "", tty: bool = False, **kw: Any) -> int:
    monkeypatch: pytest.MonkeyPatch = kw["monkeypatch"]
    monkeypatch.setattr(sys, "stdin", _Stdin(stdin, tty))
    return main(["secret", *argv, "--endpoint-url", endpoint])


def _handler_reads(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The value as a cold ListUsers container reads it: its own reader, decrypted."""
    monkeypatch.setenv("CONFIG_PATH", "/dev/api/")
    cache = handler_config.ConfigCache(_ssm(endpoint))
    return cache.get(settings_module().secrets_of("ListUsers")).secret(KEY)


def test_a_secret_set_from_stdin_reaches_the_handler_decrypted(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _secret(endpoint, "set", KEY, stdin=VALUE + "\n", monkeypatch=monkeypatch)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"Secret {PARAMETER} created (SecureString" in out and "from stdin" in out
    assert VALUE not in out + err
    stored = _ssm(endpoint).get_parameter(Name=PARAMETER)["Parameter"]
    assert stored["Type"] == "SecureString"
    assert stored["Value"] != VALUE  # undecrypted: not the plain text
    tags = _ssm(endpoint).list_tags_for_resource(ResourceType="Parameter", ResourceId=PARAMETER)
    assert {t["Key"]: t["Value"] for t in tags["TagList"]} == {
        "Application": "userapi",
        "Environment": "dev",
        "ManagedBy": "userapi",
    }
    assert _handler_reads(endpoint, monkeypatch) == VALUE


def test_setting_again_replaces_the_value_keeps_the_tags_and_bumps_the_version(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _secret(endpoint, "set", KEY, stdin=VALUE, monkeypatch=monkeypatch) == 0
    rotated = VALUE.replace("hand-made", "rotated-one")
    assert _secret(endpoint, "set", KEY, stdin=rotated, monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert f"Secret {PARAMETER} replaced" in out and "version 2" in out
    tags = _ssm(endpoint).list_tags_for_resource(ResourceType="Parameter", ResourceId=PARAMETER)
    assert {t["Key"] for t in tags["TagList"]} == {"Application", "Environment", "ManagedBy"}
    assert _handler_reads(endpoint, monkeypatch) == rotated


def test_the_prompt_asks_twice_without_echo_and_refuses_a_mismatch(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import getpass

    answers = iter([VALUE, VALUE + "x"])
    prompts: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or next(answers))
    assert _secret(endpoint, "set", KEY, tty=True, monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    expected = f"secret {KEY}: the two values differ; nothing was written"
    assert err == f"userapi secret: error: {expected}\n"
    assert len(prompts) == 2 and "not echoed" in prompts[0]
    assert _ssm(endpoint).get_parameters(Names=[PARAMETER])["Parameters"] == []

    answers = iter([VALUE, VALUE])
    assert _secret(endpoint, "set", KEY, tty=True, monkeypatch=monkeypatch) == 0
    assert "prompted" in capsys.readouterr().out
    assert _handler_reads(endpoint, monkeypatch) == VALUE


def test_generate_makes_a_fresh_key_and_prints_nothing_of_it(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _secret(endpoint, "set", KEY, "--generate", monkeypatch=monkeypatch) == 0
    out, err = capsys.readouterr()
    value = _handler_reads(endpoint, monkeypatch)
    assert len(value) == 43  # 32 random bytes, URL-safe base64
    assert value not in out + err and "generated" in out


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (("set", "NOPE"), VALUE, "unknown secret 'NOPE'; declared secrets: PAGINATION_KEY"),
        (("set", KEY), "", f"secret {KEY}: the value is empty"),
        (("set", KEY), "short", f"secret {KEY}: at least 43 characters"),
        (("set", KEY), f" {VALUE}", f"secret {KEY}: the value starts or ends with whitespace"),
        (("set", KEY), "x" * 5000, f"secret {KEY}: the value is over 4096 bytes"),
    ],
)
def test_a_wrong_secret_command_is_one_line_and_writes_nothing(
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    assert _secret(endpoint, *argv, stdin=stdin, monkeypatch=monkeypatch) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"userapi secret: error: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    if stdin.strip():
        assert stdin.strip() not in err
    assert _ssm(endpoint).get_parameters(Names=[PARAMETER])["Parameters"] == []


def test_a_value_on_the_command_line_is_refused(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _secret(endpoint, "set", KEY, VALUE, monkeypatch=monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith("userapi secret: error: a secret value is never taken from the command")
    assert VALUE not in err and err.count("\n") == 1
    assert _ssm(endpoint).get_parameters(Names=[PARAMETER])["Parameters"] == []


def test_set_without_a_name_asks_for_the_name_only(capsys: pytest.CaptureFixture[str]) -> None:
    # The hidden catch-all for argv values must not show up as a required argument.
    with pytest.raises(SystemExit) as exit_info:
        main(["secret", "set"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == "userapi secret set: error: the following arguments are required: NAME\n"


def test_list_shows_states_and_never_values(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _secret(endpoint, "list", monkeypatch=monkeypatch) == 0
    missing = capsys.readouterr().out.splitlines()
    assert missing[0].split() == ["SECRET", "PARAMETER", "STATE", "VERSION", "MODIFIED"]
    assert missing[1].split()[:3] == [KEY, PARAMETER, "missing"]
    assert _secret(endpoint, "set", KEY, stdin=VALUE, monkeypatch=monkeypatch) == 0
    capsys.readouterr()
    assert _secret(endpoint, "list", monkeypatch=monkeypatch) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split()[:4] == [KEY, PARAMETER, "set", "1"]
    assert VALUE not in out


# -- the deploy's check ---------------------------------------------------


def test_deploy_generates_the_pagination_key_when_missing_and_says_so(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = synthesis.render_template
    monkeypatch.setattr(synthesis, "render_template", lambda o=None: moto_template(real(o)))
    boto3.client("s3", endpoint_url=endpoint, region_name=REGION).create_bucket(Bucket=BUCKET)
    argv = ["--endpoint-url", endpoint, "--poll-delay", "0.05", "--bucket", BUCKET, "--yes"]
    assert deploy_cli.main(argv) == 0
    out = capsys.readouterr().out
    assert f"Created secret {PARAMETER} (SecureString, aws/ssm key): 32 random bytes" in out
    value = _handler_reads(endpoint, monkeypatch)
    assert len(value) == 43 and value not in out
    # A second deploy keeps it (a rotation is an explicit `secret set`).
    assert deploy_cli.main(argv) == 0
    assert "Created secret" not in capsys.readouterr().out
    assert _handler_reads(endpoint, monkeypatch) == value


def _declare(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """A second, hand-set secret, as a later feature would declare one."""
    settings = settings_module()
    monkeypatch.setattr(
        settings, "SECRET_PARAMETERS", {**settings.SECRET_PARAMETERS, name: ("GetUser",)}
    )


def test_deploy_refuses_in_one_line_when_a_hand_set_secret_is_missing(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _declare(monkeypatch, "PARTNER_TOKEN")
    argv = ["--endpoint-url", endpoint, "--bucket", BUCKET, "--yes"]
    assert deploy_cli.main(argv) == 1
    err = capsys.readouterr().err
    assert err == (
        "deploy.py: error: missing secret /dev/api/PARTNER_TOKEN: set it with "
        "`userapi secret set PARTNER_TOKEN --environment dev` (nothing was deployed)\n"
    )
    cfn = boto3.client("cloudformation", endpoint_url=endpoint, region_name=REGION)
    assert cfn.list_stacks()["StackSummaries"] == []
    # Refused before anything else: not even the generated key was created.
    assert _ssm(endpoint).get_parameters(Names=[PARAMETER])["Parameters"] == []


def test_a_secret_stored_as_plain_string_is_refused(endpoint: str) -> None:
    ssm = _ssm(endpoint)
    ssm.put_parameter(Name=PARAMETER, Value=VALUE, Type="String")
    with pytest.raises(DeployError, match="is a String, not a SecureString"):
        secret_store.require_secrets(ssm, "dev", [], print)
