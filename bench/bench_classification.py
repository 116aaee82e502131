#!/usr/bin/env python3
"""Benchmark of the customer classification refresh.

Seeds a database (where customer_mgmt is installed) with N customers and M
posted customer invoices plus M/10 vendor bills, in SQL (INSERT ... SELECT
generate_series, copying a template invoice posted through the ORM), then
times:

- the bare aggregation query (sales and purchases per customer);
- ``_refresh_customer_classification()`` on all customers at once;
- the scheduled action ``_cron_refresh_customer_classification()`` batch by batch;

and prints wall time, SQL queries and peak memory (RSS) of each.

    python3 bench/bench_classification.py DATABASE --customers 10000 --invoices 200000 \\
        [--db_host=127.0.0.1 --db_user=$USER --addons-path=...]

The database must already have customer_mgmt installed; the seeded rows are
committed (use a throw-away database).
"""

import argparse
import resource
import time

import odoo
from odoo.fields import Command
from odoo.tools import SQL


def measure(label, env, func):
    cr = env.cr
    queries_before = cr.sql_log_count
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queries = cr.sql_log_count - queries_before
    print(f"{label:<45} {elapsed:8.3f} s {queries:7d} queries  peak RSS {rss_mb:7.0f} MB")
    return elapsed


def seed(env, customers, invoices):
    partner_model = env["res.partner"]
    product = env["product.product"].create({"name": "Bench product", "list_price": 100.0})
    template_partner = partner_model.create({"name": "Bench template", "is_company": True})
    template = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": template_partner.id,
            "invoice_date": "2026-01-01",
            "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 100.0})],
        }
    )
    template.action_post()
    env.flush_all()
    cr = env.cr
    cr.execute(
        SQL(
            """INSERT INTO res_partner (name, complete_name, is_company, active, is_customer_card,
                                        customer_rank, supplier_rank, autopost_bills, type)
               SELECT 'Bench customer ' || n, 'Bench customer ' || n, TRUE, TRUE, TRUE, 1, 0,
                      'ask', 'contact'
                 FROM generate_series(1, %s) n""",
            customers,
        )
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
    cr.execute("SELECT array_agg(id ORDER BY id) FROM res_partner WHERE name LIKE 'Bench customer %%'")
    partner_ids = cr.fetchone()[0]
    # Invoices spread over 24 months; a tenth of the customers never buy, a tenth also sell to us.
    columns = ("journal_id", "currency_id", "company_id", "auto_post", "state")
    for move_type, count, prefix in (
        ("out_invoice", invoices, "BINV"),
        ("in_invoice", invoices // 10, "BBIL"),
    ):
        cr.execute(
            SQL(
                """INSERT INTO account_move (name, move_type, partner_id, commercial_partner_id,
                                             invoice_date, date, %(columns)s)
                   SELECT %(prefix)s || '/' || n, %(move_type)s, p.id, p.id,
                          CURRENT_DATE - (n %% 730), CURRENT_DATE - (n %% 730), %(template_columns)s
                     FROM generate_series(1, %(count)s) n
                     JOIN account_move t ON t.id = %(template)s
                     JOIN res_partner p ON p.id = (%(ids)s::int[])[1 + (n * 7919) %% %(buyers)s]""",
                columns=SQL(", ").join(SQL.identifier(c) for c in columns),
                template_columns=SQL(", ").join(SQL.identifier("t", c) for c in columns),
                prefix=prefix,
                move_type=move_type,
                count=count,
                template=template.id,
                ids=partner_ids,
                buyers=len(partner_ids) * 9 // 10 if move_type == "out_invoice" else len(partner_ids) // 10,
            )
        )
    cr.execute("ANALYZE res_partner; ANALYZE account_move")
    env.cr.commit()
    return partner_model.browse(partner_ids)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--invoices", type=int, default=200000)
    args, odoo_args = parser.parse_known_args()
    odoo.tools.config.parse_config(["-d", args.database, *odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.perf_counter()
        partners = seed(env, args.customers, args.invoices)
        print(
            f"seeded {len(partners)} customers, {args.invoices} invoices and {args.invoices // 10} bills "
            f"in {time.perf_counter() - start:.1f} s (SQL)"
        )
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
        env.cr.execute(
            "SELECT trading_stage, customer_tenure, purchase_relation, count(*) FROM res_partner "
            "WHERE id = ANY(%s) GROUP BY 1, 2, 3 ORDER BY 4 DESC",
            [ids],
        )
        for row in env.cr.fetchall():
            print("   ", row)


if __name__ == "__main__":
    main()
