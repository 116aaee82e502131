#!/usr/bin/env python3
"""Benchmark of the daily warning scan.

    python3 bench/bench_warnings.py DATABASE --customers 100000 --invoices 1000000 \\
        [--db_host=127.0.0.1 --db_user=$USER --addons-path=...]

Seeds the database (customer_mgmt installed, no demo; the rows are committed,
use a throw-away copy) with two product lines per invoice (1,000,000 invoices
give 2,000,000 lines), a credit limit for a tenth of the customers, and an
approved sales plan of the month for every customer when the sales plans are
installed, and 20 salespeople sharing the customers (each new warning gets an
activity). Then times the bare aggregation of the purchase days, the first
full scan (all rules, committed after each rule as the scheduled action does)
with the time and queries of each rule (the purchase rhythm's line counts the
customers whose figures changed), and a rerun right after it.
"""

import time

from common import bench_env, measure, seed, vacuum_analyze

from odoo.tools import SQL


def seed_limits_plans_and_salespeople(env, partners):
    """A credit limit for a tenth of the customers, 20 salespeople sharing
    them, and an approved plan of the month for each when plans exist."""
    cr = env.cr
    company = env.company
    salespeople = env["res.users"].create(
        [{"name": f"Bench salesperson {n}", "login": f"bench_sales_{n}"} for n in range(20)]
    )
    cr.execute(
        SQL(
            "UPDATE res_partner SET user_id = (%s::int[])[1 + id %% 20] WHERE id = ANY(%s)",
            salespeople.ids,
            partners.ids,
        )
    )
    cr.execute(
        SQL(
            """UPDATE res_partner SET credit_limit = jsonb_build_object(%s, 50000 + id %% 7 * 10000)
                WHERE id = ANY(%s) AND id %% 10 = 0""",
            str(company.id),
            partners.ids,
        )
    )
    if "customer.sales.plan" in env:
        cr.execute(
            SQL(
                """INSERT INTO customer_sales_plan (partner_id, company_id, month, amount_target, state,
                                                    create_uid, write_uid, create_date, write_date)
                   SELECT id, %(company)s, date_trunc('month', CURRENT_DATE)::date, 20000 + id %% 13 * 5000,
                          'approved', 1, 1, now(), now()
                     FROM unnest(%(ids)s::int[]) id
                   ON CONFLICT DO NOTHING""",
                company=company.id,
                ids=partners.ids,
            )
        )
    vacuum_analyze(env)


def scan_by_rule(env):
    """Run the scan as the scheduled action does (a commit after each rule)
    and print the time and queries of each rule."""
    rules = env["customer.warning.rule"]
    scan_company = type(rules)._scan_company
    partners = type(env["res.partner"])
    refresh_rhythm = partners._refresh_purchase_rhythm
    timings = []

    def timed_rhythm(partner):
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        changed = refresh_rhythm(partner)
        timings.append(
            ("(purchase rhythm)", time.perf_counter() - start, env.cr.sql_log_count - queries, (changed, 0))
        )
        return changed

    def timed(rule, company):
        queries = env.cr.sql_log_count
        start = time.perf_counter()
        result = scan_company(rule, company)
        timings.append(
            (rule.warning_type, time.perf_counter() - start, env.cr.sql_log_count - queries, result)
        )
        return result

    type(rules)._scan_company = timed
    partners._refresh_purchase_rhythm = timed_rhythm
    try:
        counts = rules._scan(lambda done, remaining: env.cr.commit() or True)
    finally:
        type(rules)._scan_company = scan_company
        partners._refresh_purchase_rhythm = refresh_rhythm
    for warning_type, elapsed, queries, (raised, resolved) in timings:
        print(
            f"    {warning_type:<26} {elapsed:7.3f} s {queries:5d} queries"
            f"  {raised:6d} raised {resolved:6d} resolved"
        )
    return counts


with bench_env(__doc__) as (env, args):
    partners = seed(env, args.customers, args.invoices, lines_per_invoice=2)
    seed_limits_plans_and_salespeople(env, partners)
    measure(
        "bare aggregation (purchase days per customer)",
        env,
        lambda: env.cr.execute(
            """SELECT partner_id, COUNT(*), MAX(day) FROM (
                   SELECT move.commercial_partner_id AS partner_id, move.invoice_date AS day
                     FROM account_move_line line JOIN account_move move ON move.id = line.move_id
                    WHERE move.state = 'posted' AND move.move_type = 'out_invoice'
                      AND line.display_type = 'product' AND move.invoice_date > CURRENT_DATE - 365
                    GROUP BY 1, 2) days
               GROUP BY partner_id"""
        ),
    )
    first = {}
    measure("first scan, all rules", env, lambda: first.update(scan_by_rule(env)))
    print(f"    {first['raised']} raised, {first['resolved']} resolved")
    rerun = {}
    measure("rerun right after", env, lambda: rerun.update(scan_by_rule(env)))
    print(f"    {rerun['raised']} raised, {rerun['resolved']} resolved")
    by_type = dict(
        env["customer.warning"]._read_group(
            [("state", "in", ("open", "acknowledged"))], ["warning_type"], ["__count"]
        )
    )
    for warning_type, count in sorted(by_type.items()):
        print(f"    open {warning_type:<26} {count:7d}")
    activities = env["mail.activity"].search_count([("res_model", "=", "customer.warning")])
    print(f"    {activities} activities")
