"""checkov on the synthesized template, in every option combination: 0 failed.

The combinations come from ``TemplateOptions`` itself (scanner.option_combinations),
so a feature option added later is scanned on and off without editing this
file. checkov lives in its own virtualenv (``make .venv-scan``): its pins
(boto3 1.35, networkx 2.6...) conflict with the dev toolchain's. One checkov
process scans every template at once (~0.6 s a template plus ~3 s start-up).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from stack_fixture import template_dict

from userapi_stack.scanner import Skip, accept, accepted_findings, option_combinations
from userapi_stack.template import TemplateOptions, build_template, render

ROOT = Path(__file__).resolve().parent.parent
#: ``make .venv-scan`` installs it here; USERAPI_CHECKOV points elsewhere.
CHECKOV = Path(os.environ.get("USERAPI_CHECKOV", ROOT / ".venv-scan" / "bin" / "checkov"))


def _label(options: TemplateOptions) -> str:
    chosen = {k: v for k, v in asdict(options).items() if k not in ("tags", "routes")}
    return ",".join(f"{key}={value}" for key, value in sorted(chosen.items()))


#: checkov scans one file at a time: two processes use both cores of CI's machine.
PROCESSES = max(1, min(2, os.cpu_count() or 1))


def _checkov(directory: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            str(CHECKOV),
            "--directory",
            str(directory),
            "--framework",
            "cloudformation",
            "--output",
            "json",
            "--skip-download",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _report(process: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = process.communicate(timeout=600)
    # 0: nothing failed; 1: something failed (the assertions below say what).
    assert process.returncode in (0, 1), stderr[-2000:]
    report = json.loads(stdout)
    reports = report if isinstance(report, list) else [report]
    [report] = [r for r in reports if r["check_type"] == "cloudformation"]
    return report


def _merged(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from several: results concatenated, summary counts added."""
    kinds = ("passed_checks", "failed_checks", "skipped_checks")
    return {
        "results": {kind: [c for r in reports for c in r["results"][kind]] for kind in kinds},
        "summary": {
            key: sum(r["summary"][key] for r in reports)
            for key in ("passed", "failed", "skipped", "parsing_errors")
        },
    }


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, Any]]:
    """(file name -> option label, checkov report) over every combination."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}: run `make .venv-scan` (make test does)")
    directories = [tmp_path_factory.mktemp(f"checkov{n}") for n in range(PROCESSES)]
    labels = {}
    for index, options in enumerate(option_combinations()):
        name = f"template-{index:03d}.json"
        directory = directories[index % PROCESSES]
        (directory / name).write_text(render(build_template(options)), encoding="utf-8")
        labels[name] = _label(options)
    processes = [_checkov(directory) for directory in directories]
    return labels, _merged([_report(process) for process in processes])


def _by_file(checks: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for check in checks:
        grouped.setdefault(Path(check["file_path"]).name, []).append(check)
    return grouped


def test_every_option_combination_has_zero_failed_checks(scanned) -> None:
    labels, report = scanned
    failed = _by_file(report["results"]["failed_checks"])
    problems = [
        f"{labels[name]}: {check['check_id']} {check['resource']}"
        for name in sorted(failed)
        for check in failed[name]
    ]
    assert problems == []
    assert report["summary"]["failed"] == 0
    assert report["summary"]["parsing_errors"] == 0


def test_every_combination_was_scanned_and_passes_real_checks(scanned) -> None:
    labels, report = scanned
    passed = _by_file(report["results"]["passed_checks"])
    assert set(passed) == set(labels)
    for name, checks in passed.items():
        ids = {check["check_id"] for check in checks}
        # Real properties, not skips: PITR, log retention, access logging, IAM.
        assert {"CKV_AWS_28", "CKV_AWS_66", "CKV_AWS_76", "CKV_AWS_63"} <= ids, labels[name]


def test_every_skip_carries_its_reason(scanned) -> None:
    labels, report = scanned
    skipped = report["results"]["skipped_checks"]
    assert skipped, "the trade-offs are recorded as skips"
    for check in skipped:
        comment = check["check_result"].get("suppress_comment", "")
        assert len(comment) > 30, (labels[Path(check["file_path"]).name], check["check_id"])


def test_the_default_templates_accepted_findings_are_the_documented_trade_offs() -> None:
    """Each trade-off, by resource type, exactly (a new skip must be a decision here too)."""
    found = {(kind, check) for _, kind, check, _ in accepted_findings(build_template())}
    assert found == {
        ("AWS::ApiGateway::Method", "CKV_AWS_59"),
        ("AWS::ApiGateway::Stage", "CKV_AWS_120"),
        ("AWS::ApiGateway::Stage", "CKV_AWS_73"),
        ("AWS::DynamoDB::Table", "CKV_AWS_119"),
        ("AWS::Lambda::Function", "CKV_AWS_116"),
        ("AWS::Lambda::Function", "CKV_AWS_117"),
        ("AWS::Lambda::Function", "CKV_AWS_173"),
        ("AWS::Logs::LogGroup", "CKV_AWS_158"),
        ("AWS::SNS::Topic", "CKV_AWS_26"),
    }


def test_the_signed_list_route_is_not_excused_from_the_open_access_check() -> None:
    resources = template_dict()["Resources"]
    assert "Metadata" not in resources["ListUsersMethod"]
    public = resources["CreateUserMethod"]["Metadata"]["checkov"]["skip"]
    assert [entry["id"] for entry in public] == ["CKV_AWS_59"]


def test_a_deprecated_runtime_is_excused_only_when_chosen() -> None:
    def runtime_skips(runtime: str) -> set[str]:
        template = build_template(TemplateOptions(runtime=runtime))
        return {
            check
            for _, kind, check, _ in accepted_findings(template)
            if kind == "AWS::Lambda::Function"
        }

    assert "CKV_AWS_363" in runtime_skips("python3.9")
    assert "CKV_AWS_363" not in runtime_skips("python3.13")


def test_accept_keeps_other_metadata_and_refuses_a_second_reason() -> None:
    from troposphere.sns import Topic

    topic = Topic("T", Metadata={"WaitsFor": "x"})
    accept(topic, Skip("CKV_AWS_26", "a reason"))
    assert topic.to_dict()["Metadata"] == {
        "WaitsFor": "x",
        "checkov": {"skip": [{"id": "CKV_AWS_26", "comment": "a reason"}]},
    }
    with pytest.raises(ValueError, match="already accepted"):
        accept(topic, Skip("CKV_AWS_26", "another reason"))
    with pytest.raises(ValueError, match="not a checkov check id"):
        Skip("AWS_26", "x")
    with pytest.raises(ValueError, match="one non-empty line"):
        Skip("CKV_AWS_26", " ")


def test_combinations_cover_every_runtime_and_architecture_and_start_with_the_default() -> None:
    combinations = option_combinations()
    assert combinations[0] == TemplateOptions()
    assert len(set(combinations)) == len(combinations)
    runtimes = {options.runtime for options in combinations}
    assert runtimes == {f"python3.{minor}" for minor in range(9, 15)}
    assert {options.architecture for options in combinations} == {"arm64", "x86_64"}


@dataclass(frozen=True)
class _Features:
    runtime: str = field(default="a", metadata={"choices": ("a", "b", "c"), "scan": "each"})
    auth: str = field(default="none", metadata={"choices": ("none", "cognito")})
    waf: bool = False
    tags: tuple = field(default=(), metadata={"scan": "fixed"})


def test_features_are_combined_exhaustively_and_each_values_cycled() -> None:
    combinations = option_combinations(_Features)
    assert combinations[0] == _Features()
    grid = {(c.auth, c.waf) for c in combinations}
    assert grid == {("none", False), ("none", True), ("cognito", False), ("cognito", True)}
    assert {c.runtime for c in combinations} == {"a", "b", "c"}


def test_an_option_without_declared_values_stops_the_scan() -> None:
    @dataclass(frozen=True)
    class Undeclared:
        domain_name: str = ""

    with pytest.raises(TypeError, match="declare its values"):
        option_combinations(Undeclared)
