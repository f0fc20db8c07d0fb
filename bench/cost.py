"""Monthly bill estimate (us-east-1) for the synthesized stack at N daily users.

Settings come from the synthesized template itself (function memory default,
architecture, log retention default, alarms and their metrics, dashboards,
table billing mode and PITR, X-Ray default); the workload is the stated
assumptions below, each a flag. Prices are constants with their source and
the date they were taken. No AWS call is made.

Run: ``.venv/bin/python bench/cost.py [--daily-users 5000] [--auth cognito] [--domain]
[--api-keys] [--waf] [--help for the rest]``
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from typing import Any

from stats import REPO_ROOT

from userapi_local.template_reader import TemplateReader
from userapi_stack.template import TemplateOptions, build_template, render

DAYS = 30.4  # days in an average month
# -- Prices, us-east-1 (source; date the figure was taken) -------------------------------------
# shared/FIELD-NOTES.md section 7 unless noted; "taken" = the source's date.
APIGW_REST_PER_M = 3.50  # first 333M/month; AWS API GW whitepaper, undated; taken 2026-11-23
LAMBDA_REQUEST_PER_M = 0.20  # cloudchipr.com/blog/aws-lambda-pricing; 2024 (confirmed 2026-05)
LAMBDA_GB_S = {"arm64": 0.0000133334, "x86_64": 0.0000166667}  # same sources; 2024 / 2026-05
DDB_WRU_PER_M = 0.625  # on-demand after the 2024-11-01 cut; airbyte.com 2025-07-21
DDB_RRU_PER_M = 0.125  # same; airbyte.com 2025-07-21
DDB_STORAGE_GB_MONTH = 0.25  # aws.amazon.com/dynamodb/pricing (first 25 GB free); taken 2026-11-23
DDB_PITR_GB_MONTH = 0.20  # finops.com.py/services/dynamodb/backups; taken 2026-11-23
LOGS_INGEST_GB = 0.50  # hykell.com CloudWatch Logs pricing (Standard class); FIELD-NOTES 2026-11
LOGS_STORAGE_GB_MONTH = 0.03  # same source
ALARM_METRIC_MONTH = 0.10  # standard resolution; factualminds.com 2026-06-13
DASHBOARD_MONTH = 3.00  # factualminds.com 2026-06-13
CUSTOM_METRIC_MONTH = 0.30  # first 10k metrics; signoz.io/guides/cloudwatch-pricing 2026-02
SNS_PUBLISH_PER_M = 0.50  # factualminds.com/blog/amazon-sns-pricing...; 2026-06-13
SNS_EMAIL_PER_100K = 2.00  # same source
S3_STANDARD_GB_MONTH = 0.023  # devnotes.tech S3 pricing breakdown; taken 2026-11-23
S3_PUT_PER_1K = 0.005  # same source
# Cognito user pools, per monthly active user (MAU) beyond the free tier, by feature plan
# (the template picks Lite: UserPoolTier). aws.amazon.com/cognito/pricing (feature plans since
# 2024-11-22; Lite $0.0055 for MAU 10,001-100,000, Essentials $0.015) and the Developer Guide's
# "User pool feature plans"; the 10,000-MAU free tier of Lite and Essentials is also stated by
# c3x.dev/resources/aws/aws_cognito_user_pool and an AWS workshop's cost note; taken 2026-12-04.
# Accounts whose pools predate 2024-11-22 keep Lite's old 50,000-MAU free tier.
COGNITO_PER_MAU = {"LITE": 0.0055, "ESSENTIALS": 0.015}
COGNITO_FREE_MAU = 10_000
# AWS WAF: $5.00 per web ACL a month, $1.00 per rule or managed rule group a month, $0.60 per
# million requests inspected; AWS's baseline managed groups (the common rule set) carry no fee of
# their own. c3x.dev/blog/aws-waf-cost-explained and awsnegotiations.com/waf-pricing-strategy
# (both 2026), matching aws.amazon.com/waf/pricing; taken 2026-12-04. WAF logs to CloudWatch
# Logs are vended logs, $0.50/GB at this volume (the LOGS_INGEST_GB tier).
WAF_ACL_MONTH = 5.00
WAF_RULE_MONTH = 1.00
WAF_REQUESTS_PER_M = 0.60
# The custom domain: API Gateway bills no custom domain name, ACM no public certificate
# (aws.amazon.com/certificate-manager/pricing), Route 53 no alias query to an API Gateway
# domain (aws.amazon.com/route53/pricing); the hosted zone ($0.50/month) is yours, not the
# stack's. Usage plans and API keys have no price of their own (aws.amazon.com/api-gateway/
# pricing lists none). Pages not re-fetched on 2026-12-04: the figures are the ones AWS has
# published for years, stated here so a change is one line.
ROUTE53_ZONE_MONTH = 0.50
# Free tier (monthly): Lambda 1M requests + 400,000 GB-s (always); API GW 1M calls (first 12
# months); DynamoDB 25 GB storage (always); CloudWatch 10 alarm metrics, 3 dashboards, 10 custom
# metrics, 5 GB logs (aws.amazon.com/cloudwatch/pricing); SNS 1M publishes + 1,000 emails.
FREE = {
    "apigw": 1_000_000,
    "lambda_req": 1_000_000,
    "lambda_gbs": 400_000,
    "ddb_gb": 25,
    "alarm_metrics": 10,
    "dashboards": 3,
    "custom_metrics": 10,
    "logs_gb": 5,
}

#: Route -> (share of requests, what it does to DynamoDB; see functions/users/store.py).
ROUTES = ("get", "list", "update", "create", "delete")


def _template(options: TemplateOptions) -> dict[str, Any]:
    return json.loads(render(build_template(options), "json"))


def _waf_rules(t: dict[str, Any]) -> int:
    """Rules of the web ACL at the Parameters' defaults (the managed set is conditional)."""
    reader = TemplateReader(t)
    return sum(
        len(reader.resolve(props.get("Rules", [])))
        for props in reader.of_type("AWS::WAFv2::WebACL").values()
    )


def _template_settings(t: dict[str, Any]) -> dict[str, Any]:
    params, resources = t["Parameters"], t["Resources"]
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in resources.values():
        by_type.setdefault(resource["Type"], []).append(resource.get("Properties", {}))
    functions = by_type["AWS::Lambda::Function"]
    alarm_metrics = sum(
        sum(1 for m in a.get("Metrics", []) if "MetricStat" in m) or 1
        for a in by_type.get("AWS::CloudWatch::Alarm", [])
    )
    tables = by_type["AWS::DynamoDB::Table"]
    return {
        "memory_mb": int(params["FunctionMemorySize"]["Default"]),
        "architecture": functions[0].get("Architectures", ["x86_64"])[0],
        "functions": len(functions),
        "retention_days": int(params["LogRetentionDays"]["Default"]),
        "log_groups": len(by_type.get("AWS::Logs::LogGroup", [])),
        "alarms": len(by_type.get("AWS::CloudWatch::Alarm", [])),
        "alarm_metrics": alarm_metrics,
        "dashboards": len(by_type.get("AWS::CloudWatch::Dashboard", [])),
        "tables": len(tables),
        "billing": sorted({tb.get("BillingMode", "PROVISIONED") for tb in tables}),
        "pitr": all(
            tb.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
            for tb in tables
        ),
        "tracing": params.get("TracingMode", {}).get("Default", "PassThrough"),
        "ssm_parameters": len(by_type.get("AWS::SSM::Parameter", [])),
        "web_acls": len(by_type.get("AWS::WAFv2::WebACL", [])),
        "waf_rules": _waf_rules(t),
        "custom_domains": len(by_type.get("AWS::ApiGateway::DomainName", [])),
        "usage_plans": len(by_type.get("AWS::ApiGateway::UsagePlan", [])),
        "user_pool_tier": next(
            (
                p.get("UserPoolTier", "ESSENTIALS")
                for p in by_type.get("AWS::Cognito::UserPool", [])
            ),
            None,
        ),
    }


def _emf_metric_names() -> set[str]:
    """Business metrics the handlers emit as EMF (each is one custom metric per Environment)."""
    names: set[str] = set()
    for path in (REPO_ROOT / "functions" / "users").glob("*.py"):
        names |= set(re.findall(r"\.count\(\s*\"(\w+)\"", path.read_text(encoding="utf-8")))
    return names


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    a = p.add_argument
    a("--daily-users", type=int, default=5000, help="distinct users a day (default 5000)")
    a("--requests-per-user", type=float, default=10, help="API requests per user per day")
    a("--mix", default="get=60,list=10,update=20,create=6,delete=4",
      help="percent of requests per route (get, list, update, create, delete)")  # fmt: skip
    a("--email-change-share", type=float, default=10, help="percent of updates that change email")
    a("--item-kb", type=float, default=0.5, help="stored size of a user item, KB")
    a("--stored-users", type=int, default=100_000, help="users in the table")
    a("--page-size", type=int, default=25, help="users per list page (handler default 25)")
    a("--duration-ms", type=float, default=40, help="billed duration per invocation, ms (warm)")
    a("--cold-start-share", type=float, default=2, help="percent of invocations that cold start")
    a("--init-ms", type=float, default=300, help="billed INIT per cold start, ms (since 2025-08)")
    a("--lambda-log-bytes", type=int, default=1200,
      help="Lambda log bytes per request (START/END/REPORT, one JSON record, EMF)")  # fmt: skip
    a("--access-log-bytes", type=int, default=700, help="API access log bytes per request")
    a("--alarm-emails-per-month", type=int, default=20, help="alarm notifications sent by email")
    a("--deploys-per-month", type=int, default=30, help="deploys (each new artifact + template)")
    a("--auth", choices=("none", "cognito"), default="none", help="the template's auth mode")
    a("--monthly-active-users", type=int,
      help="cognito: distinct users signing in or refreshing a token in a month "
      "(default: 3x --daily-users, i.e. a third of the month's users come each day)")  # fmt: skip
    a("--domain", action="store_true", help="the template of --domain (custom domain)")
    a("--api-keys", action="store_true", help="the template of --api-keys (usage plan)")
    a("--waf", action="store_true", help="the template of --waf (web ACL)")
    a("--waf-blocked-share", type=float, default=1,
      help="waf: percent of requests WAF blocks (only those are logged)")  # fmt: skip
    a("--waf-log-bytes", type=int, default=1500, help="waf: bytes per WAF log record")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    options = TemplateOptions(
        auth=args.auth, domain=args.domain, api_keys=args.api_keys, waf=args.waf
    )
    s = _template_settings(_template(options))
    mix = {k: float(v) / 100 for k, v in (item.split("=") for item in args.mix.split(","))}
    if set(mix) != set(ROUTES) or not math.isclose(sum(mix.values()), 1.0):
        raise SystemExit(f"--mix: give {', '.join(ROUTES)} summing to 100")
    requests = args.daily_users * args.requests_per_user * DAYS
    per = {route: requests * share for route, share in mix.items()}

    # DynamoDB units per route, from functions/users/store.py (items under 1 KB / 4 KB):
    item_wru = math.ceil(args.item_kb)  # a user item write
    guard_wru = 1  # the email guard item (email + user_id) in the emails table
    rru = per["get"] * 1  # GetItem, ConsistentRead: 1 RRU per 4 KB
    rru += per["list"] * 0.5 * math.ceil(args.page_size * args.item_kb / 4)  # Scan, eventual
    rru += (per["update"] + per["delete"]) * 1  # the read before each write
    share = args.email_change_share / 100
    wru = per["create"] * 2 * (item_wru + guard_wru)  # TransactWriteItems: Put user + Put guard
    wru += per["update"] * (1 - share) * item_wru  # UpdateItem (email unchanged)
    wru += per["update"] * share * 2 * (item_wru + 2 * guard_wru)  # Tx: Update + Delete + Put
    wru += per["delete"] * 2 * (item_wru + guard_wru)  # Tx: Delete user + Delete guard
    # Storage: each item plus DynamoDB's 100-byte per-item overhead, in both tables.
    table_gb = args.stored_users * (args.item_kb * 1024 + 100 + 100 + 100) / 1024**3

    gb = s["memory_mb"] / 1024
    cold = requests * args.cold_start_share / 100
    gb_s = (requests * args.duration_ms + cold * args.init_ms) / 1000 * gb
    log_gb = requests * (args.lambda_log_bytes + args.access_log_bytes) / 1024**3
    stored_log_gb = log_gb * min(s["retention_days"], DAYS) / DAYS  # steady state
    custom_metrics = len(_emf_metric_names())

    rows = []  # (item, quantity, price, cost, cost after free tier)

    def line(item: str, quantity: str, price: str, cost: float, free_cost: float) -> None:
        rows.append((item, quantity, price, cost, free_cost))

    line("API Gateway REST requests", f"{requests / 1e6:.2f} M", f"${APIGW_REST_PER_M}/M",
         requests / 1e6 * APIGW_REST_PER_M,
         max(0, requests - FREE["apigw"]) / 1e6 * APIGW_REST_PER_M)  # fmt: skip
    line("Lambda requests", f"{requests / 1e6:.2f} M", f"${LAMBDA_REQUEST_PER_M}/M",
         requests / 1e6 * LAMBDA_REQUEST_PER_M,
         max(0, requests - FREE["lambda_req"]) / 1e6 * LAMBDA_REQUEST_PER_M)  # fmt: skip
    rate = LAMBDA_GB_S[s["architecture"]]
    line(f"Lambda duration ({s['architecture']}, {s['memory_mb']} MB)", f"{gb_s:,.0f} GB-s",
         f"${rate:.10f}/GB-s", gb_s * rate, max(0, gb_s - FREE["lambda_gbs"]) * rate)  # fmt: skip
    line("DynamoDB on-demand writes", f"{wru / 1e6:.2f} M WRU", f"${DDB_WRU_PER_M}/M",
         wru / 1e6 * DDB_WRU_PER_M, wru / 1e6 * DDB_WRU_PER_M)  # fmt: skip
    line("DynamoDB on-demand reads", f"{rru / 1e6:.2f} M RRU", f"${DDB_RRU_PER_M}/M",
         rru / 1e6 * DDB_RRU_PER_M, rru / 1e6 * DDB_RRU_PER_M)  # fmt: skip
    line(f"DynamoDB storage ({s['tables']} tables)", f"{table_gb:.3f} GB",
         f"${DDB_STORAGE_GB_MONTH}/GB-mo", table_gb * DDB_STORAGE_GB_MONTH,
         max(0, table_gb - FREE["ddb_gb"]) * DDB_STORAGE_GB_MONTH)  # fmt: skip
    pitr = table_gb * DDB_PITR_GB_MONTH if s["pitr"] else 0.0
    line("DynamoDB PITR", f"{table_gb:.3f} GB" if s["pitr"] else "off",
         f"${DDB_PITR_GB_MONTH}/GB-mo", pitr, pitr)  # fmt: skip
    line("CloudWatch Logs ingestion", f"{log_gb:.2f} GB", f"${LOGS_INGEST_GB}/GB",
         log_gb * LOGS_INGEST_GB, max(0, log_gb - FREE["logs_gb"]) * LOGS_INGEST_GB)  # fmt: skip
    line(f"CloudWatch Logs storage ({s['retention_days']} d)", f"{stored_log_gb:.2f} GB",
         f"${LOGS_STORAGE_GB_MONTH}/GB-mo", stored_log_gb * LOGS_STORAGE_GB_MONTH,
         stored_log_gb * LOGS_STORAGE_GB_MONTH)  # fmt: skip
    line(f"CloudWatch alarms ({s['alarms']})", f"{s['alarm_metrics']} alarm metrics",
         f"${ALARM_METRIC_MONTH}/metric", s["alarm_metrics"] * ALARM_METRIC_MONTH,
         max(0, s["alarm_metrics"] - FREE["alarm_metrics"]) * ALARM_METRIC_MONTH)  # fmt: skip
    line("CloudWatch dashboards", f"{s['dashboards']}", f"${DASHBOARD_MONTH}/mo",
         s["dashboards"] * DASHBOARD_MONTH,
         max(0, s["dashboards"] - FREE["dashboards"]) * DASHBOARD_MONTH)  # fmt: skip
    line("CloudWatch custom metrics (EMF)", f"{custom_metrics}", f"${CUSTOM_METRIC_MONTH}/mo",
         custom_metrics * CUSTOM_METRIC_MONTH,
         max(0, custom_metrics - FREE["custom_metrics"]) * CUSTOM_METRIC_MONTH)  # fmt: skip
    sns = args.alarm_emails_per_month / 1e5 * SNS_EMAIL_PER_100K
    sns += args.alarm_emails_per_month / 1e6 * SNS_PUBLISH_PER_M
    line("SNS alarm e-mails", f"{args.alarm_emails_per_month}", f"${SNS_EMAIL_PER_100K}/100k",
         sns, 0.0 if args.alarm_emails_per_month <= 1000 else sns)  # fmt: skip
    line(f"SSM parameters ({s['ssm_parameters']}, Standard)", "per container per TTL", "free",
         0.0, 0.0)  # fmt: skip
    line(f"X-Ray (TracingMode default {s['tracing']})", "off" if s["tracing"] != "Active" else "on",
         "n/a", 0.0, 0.0)  # fmt: skip
    s3_gb = args.deploys_per_month * 0.12 / 1024  # ~15 KB zip + ~100 KB template per deploy
    s3 = s3_gb * S3_STANDARD_GB_MONTH + args.deploys_per_month * 2 / 1000 * S3_PUT_PER_1K
    line("S3 artifacts + templates", f"{args.deploys_per_month} deploys", "$0.023/GB-mo",
         s3, s3)  # fmt: skip

    mau = args.monthly_active_users or 3 * args.daily_users
    if s["user_pool_tier"]:
        rate = COGNITO_PER_MAU[s["user_pool_tier"]]
        line(f"Cognito user pool ({s['user_pool_tier'].title()} plan)", f"{mau:,} MAU",
             f"${rate}/MAU", mau * rate, max(0, mau - COGNITO_FREE_MAU) * rate)  # fmt: skip
        line("API Gateway Cognito authorizer", "per request", "free", 0.0, 0.0)  # fmt: skip
    if s["web_acls"]:
        waf_rules = s["waf_rules"]
        line("WAF web ACL", f"{s['web_acls']}", f"${WAF_ACL_MONTH:.2f}/mo",
             s["web_acls"] * WAF_ACL_MONTH, s["web_acls"] * WAF_ACL_MONTH)  # fmt: skip
        line(f"WAF rules ({waf_rules}: rate limit, managed common rules)", f"{waf_rules}",
             f"${WAF_RULE_MONTH:.2f}/rule-mo", waf_rules * WAF_RULE_MONTH,
             waf_rules * WAF_RULE_MONTH)  # fmt: skip
        waf_requests = requests / 1e6 * WAF_REQUESTS_PER_M
        line("WAF requests inspected", f"{requests / 1e6:.2f} M", f"${WAF_REQUESTS_PER_M}/M",
             waf_requests, waf_requests)  # fmt: skip
        waf_log_gb = requests * args.waf_blocked_share / 100 * args.waf_log_bytes / 1024**3
        line(f"WAF logs (blocked only, {args.waf_blocked_share:g}%)", f"{waf_log_gb:.3f} GB",
             f"${LOGS_INGEST_GB}/GB", waf_log_gb * LOGS_INGEST_GB,
             waf_log_gb * LOGS_INGEST_GB)  # fmt: skip
    if s["custom_domains"]:
        line("Custom domain, ACM certificate, Route 53 alias queries", "1 domain", "free",
             0.0, 0.0)  # fmt: skip
        line("Route 53 hosted zone (yours, not this stack's)", "1 zone",
             f"${ROUTE53_ZONE_MONTH:.2f}/mo", 0.0, 0.0)  # fmt: skip
    if s["usage_plans"]:
        line("Usage plan and API keys", f"{s['usage_plans']} plan", "free", 0.0, 0.0)  # fmt: skip
    total = sum(r[3] for r in rows)
    total_free = sum(r[4] for r in rows)
    print(
        f"Monthly estimate, us-east-1: {args.daily_users:,} daily users x "
        f"{args.requests_per_user:g} requests = {requests / 1e6:.2f} M requests/month\n"
    )
    print("| line item | quantity / month | price | USD / month | USD after free tier |")
    print("|---|---|---|---:|---:|")
    for item, quantity, price, cost, free_cost in rows:
        print(f"| {item} | {quantity} | {price} | {cost:.2f} | {free_cost:.2f} |")
    print(f"| **total** | | | **{total:.2f}** | **{total_free:.2f}** |")
    print(f"\nPer 1,000 daily users: ${total / args.daily_users * 1000:.2f} / month (no free tier)")
    print("\nFrom the template: " + ", ".join(f"{k}={v}" for k, v in s.items()))
    print("\nAssumptions (flags in --help):")
    print(
        f"- {args.requests_per_user:g} requests per user per day, {DAYS} days a month; mix "
        + ", ".join(f"{r} {mix[r] * 100:g}%" for r in ROUTES)
        + f"; {args.email_change_share:g}% of updates change the email."
    )
    print(
        "- DynamoDB per route (store.py): get = 1 strongly consistent GetItem; list = one "
        f"eventually consistent Scan of {args.page_size} items; update = GetItem + UpdateItem, or "
        "GetItem + TransactWriteItems(Update user, Delete guard, Put guard) when the email "
        "changes; create = TransactWriteItems(Put user, Put guard); delete = GetItem + "
        "TransactWriteItems(Delete user, Delete guard). Transactions cost 2x. "
        f"User item {args.item_kb:g} KB, guard item < 1 KB, {args.stored_users:,} users stored."
    )
    print(
        f"- Lambda: {args.duration_ms:g} ms billed per warm invocation; "
        f"{args.cold_start_share:g}% cold starts with {args.init_ms:g} ms billed INIT."
    )
    print(
        f"- Logs: {args.lambda_log_bytes} B (Lambda) + {args.access_log_bytes} B (API access "
        "log) per request; execution logs at ERROR only, so none for successful requests."
    )
    if s["user_pool_tier"]:
        print(
            f"- Cognito: {mau:,} monthly active users (each sign-in or token refresh counts "
            f"once a month); {COGNITO_FREE_MAU:,} MAU free on the Lite and Essentials plans. "
            "Cognito's own email sender (used here) is free but capped per day; SES, needed "
            "for production volumes, is billed separately."
        )
    if s["web_acls"]:
        print(
            f"- WAF: every request is inspected; {args.waf_blocked_share:g}% are blocked and "
            f"logged at {args.waf_log_bytes} B each (the logging filter keeps blocks and counts "
            "only); the managed common rule set at its default (WafManagedCommonRules=true)."
        )
    print(
        "- No data transfer out, no API caching; API Gateway's free tier only in the "
        "account's first 12 months; Lambda, DynamoDB and CloudWatch free tiers are always-on."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
