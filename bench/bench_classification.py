#!/usr/bin/env python3
"""Benchmark of the customer classification refresh.

    python3 bench/bench_classification.py DATABASE --customers 10000 --invoices 200000 \\
        [--db_host=127.0.0.1 --db_user=$USER --addons-path=...]

Seeds the database (customer_mgmt installed, no demo; the rows are committed,
use a throw-away copy) and times the bare aggregation query, the refresh of all
customers in one statement and the scheduled action batch by batch.
"""

from common import bench_env, measure, seed

from odoo.tools import SQL

with bench_env(__doc__) as (env, args):
    partners = seed(env, args.customers, args.invoices, lines_per_invoice=0)
    ids = partners.ids
    measure(
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
    measure("refresh of all customers (one statement)", env, partners._refresh_customer_classification)
    env.cr.commit()
    env.cr.execute("UPDATE res_partner SET classification_date = NULL WHERE id = ANY(%s)", [ids])
    env.cr.commit()
    measure(
        "scheduled action, batches of 1000",
        env,
        lambda: env["res.partner"]._cron_refresh_customer_classification(),
    )
