#!/usr/bin/env python3
"""Benchmark of the customer regrade.

    python3 bench/bench_grading.py DATABASE --customers 10000 --invoices 100000 \\
        [--db_host=127.0.0.1 --db_user=$USER --addons-path=...]

Seeds the database (customer_mgmt installed, no demo; the rows are committed,
use a throw-away copy) with two product lines per invoice, then times the bare
aggregation query (sales and cost per customer over the window), the first
full regrade by the scheduled action (every customer gets a grade, a history
line and a chatter note), and a rerun after 50 new invoices.
"""

from common import bench_env, measure, seed

from odoo.tools import SQL

with bench_env(__doc__) as (env, args):
    partners = seed(env, args.customers, args.invoices, lines_per_invoice=2)
    cron = env["res.partner"]._cron_regrade_customers
    aggregation = measure(
        "bare aggregation query",
        env,
        lambda: env.cr.execute(
            SQL(
                """SELECT move.commercial_partner_id, SUM(-line.balance), SUM(line.customer_cost)
                     FROM account_move_line line
                     JOIN account_move move ON move.id = line.move_id
                    WHERE move.state = 'posted' AND move.move_type IN ('out_invoice', 'out_refund')
                      AND line.display_type = 'product' AND move.company_id = %s
                      AND move.invoice_date > CURRENT_DATE - INTERVAL '12 months'
                 GROUP BY move.commercial_partner_id""",
                env.company.id,
            )
        ),
    )
    first = measure("first full regrade (scheduled action)", env, cron)
    history = env["customer.grade.history"].search_count([("partner_id", "in", partners.ids)])
    print(f"    {history} history lines and chatter notes written")
    env.cr.execute(
        """UPDATE account_move_line SET balance = balance * 3, customer_cost = customer_cost * 3
            WHERE move_id IN (SELECT id FROM account_move WHERE name LIKE 'BINV/%%'
                                 AND invoice_date > CURRENT_DATE - 30 ORDER BY id LIMIT 50)"""
    )
    env.cr.commit()
    rerun = measure("rerun after 50 changed invoices", env, cron)
    changed = env["customer.grade.history"].search_count([("partner_id", "in", partners.ids)]) - history
    print(f"    {changed} grade changes; rerun = {rerun / aggregation:.1f} x the bare aggregation")
    for code, count in env["res.partner"]._read_group(
        [("id", "in", partners.ids)], ["customer_grade_id"], ["__count"]
    ):
        print(f"    grade {code.code or '-'}: {count}")
