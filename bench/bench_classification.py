#!/usr/bin/env python3
"""Benchmark of the customer classification refresh.

    python3 bench/bench_classification.py DATABASE --customers 10000 --invoices 200000 \\
        [--db_host=127.0.0.1 --db_user=$USER --addons-path=...]

Seeds the database (customer_mgmt installed, no demo; the rows are committed,
use a throw-away copy) and times the bare aggregation query, the scheduled
action batch by batch (first, while the peak memory is its own), the refresh of
all customers in one statement and of one customer (the button), each with the
flush of what it leaves to the ORM.
"""

from common import bench_env, measure, seed

from odoo.tools import SQL

with bench_env(__doc__) as (env, args):
    partners = seed(env, args.customers, args.invoices, lines_per_invoice=0)
    ids = partners.ids
    aggregation = measure(
        "bare aggregation query",
        env,
        lambda: env.cr.execute(
            SQL(
                """SELECT commercial_partner_id, MIN(invoice_date), MAX(invoice_date),
                          bool_or(move_type IN ('in_invoice', 'in_refund'))
                     FROM account_move
                    WHERE state = 'posted' AND commercial_partner_id = ANY(%s)
                 GROUP BY commercial_partner_id""",
                ids,
            )
        ),
    )
    cron = measure(
        "scheduled action, batches of 1000",
        env,
        lambda: (env["res.partner"]._cron_refresh_customer_classification(), env.flush_all()),
    )
    print(f"    scheduled action = {cron / aggregation:.1f} x the bare aggregation")
    measure(
        "refresh of all customers (one statement)",
        env,
        lambda: (partners._refresh_customer_classification(), env.flush_all()),
    )
    env.cr.commit()
    measure(
        "refresh of one customer (button)",
        env,
        lambda: (partners[len(partners) // 2].action_refresh_classification(), env.flush_all()),
    )
    env.cr.commit()
