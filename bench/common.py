"""Shared seeding and timing for the benchmarks.

Rows are inserted in SQL (INSERT ... SELECT generate_series), copying the
required columns of one template invoice posted through the ORM, so that
hundreds of thousands of rows take seconds instead of hours.
"""

import argparse
import resource
import time
from contextlib import contextmanager

import psycopg2

import odoo
from odoo.fields import Command
from odoo.tools import SQL


@contextmanager
def bench_env(description):
    """Parse the command line and yield ``(env, args)`` on the benchmark database."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("database")
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--invoices", type=int, default=200000)
    args, odoo_args = parser.parse_known_args()
    odoo.tools.config.parse_config(["-d", args.database, *odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {}), args


def measure(label, env, func):
    """Run ``func``, print its wall time, SQL queries and the peak RSS so far."""
    cr = env.cr
    queries_before = cr.sql_log_count
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queries = cr.sql_log_count - queries_before
    print(f"{label:<48} {elapsed:8.3f} s {queries:7d} queries  peak RSS {rss_mb:7.0f} MB")
    return elapsed


def vacuum_analyze(env):
    """Commit, then leave the tables as autovacuum leaves a live database:
    statistics for the planner and the visibility map that lets index-only
    scans skip the table."""
    env.cr.commit()
    connection = psycopg2.connect(**odoo.sql_db.connection_info_for(env.cr.dbname)[1])
    try:
        connection.autocommit = True
        connection.cursor().execute("VACUUM ANALYZE")
    finally:
        connection.close()


@contextmanager
def without_foreign_key_checks(cr):
    """Run the bulk inserts of the block with ``session_replication_role =
    replica``: PostgreSQL then skips the foreign-key triggers, which took about
    94% of the seeding, one lookup per referenced column and row. The seeded
    rows only reference rows that exist (the template invoice's journal,
    accounts, currency and product, the company, the customers just inserted),
    and no table involved has triggers of its own; CHECK, NOT NULL and unique
    constraints are still enforced. The role is set back to ``origin`` at the
    end of the block (if the block fails, rolling back the transaction undoes
    the SET)."""
    cr.execute("SET session_replication_role = replica")
    yield
    cr.execute("SET session_replication_role = origin")


def seed(env, customers, invoices, lines_per_invoice=1):
    """Create ``customers`` companies (half wholesale, half retail) of the
    current company and ``invoices`` posted customer invoices over the last
    24 months with ``lines_per_invoice`` product lines each, plus a tenth as
    many vendor bills. A tenth of the customers never buy; the first tenth also
    sell to us. Returns the customers."""
    company = env.company
    product = env["product.product"].create({"name": "Bench product", "list_price": 100.0})
    template_partner = env["res.partner"].create({"name": "Bench template", "is_company": True})
    template = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": template_partner.id,
            "invoice_date": "2026-01-01",
            "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 100.0})],
        }
    )
    template.action_post()
    template_line = template.invoice_line_ids
    env.flush_all()
    cr = env.cr
    start = time.perf_counter()
    with without_foreign_key_checks(cr):
        cr.execute(
            SQL(
                """INSERT INTO res_partner (name, complete_name, is_company, active, is_customer_card,
                                            customer_rank, supplier_rank, autopost_bills, type,
                                            company_id, customer_channel)
                   SELECT 'Bench customer ' || n, 'Bench customer ' || n, TRUE, TRUE, TRUE, 1, 0,
                          'ask', 'contact', %s, CASE WHEN n %% 2 = 0 THEN 'wholesale' ELSE 'retail' END
                     FROM generate_series(1, %s) n""",
                company.id,
                customers,
            )
        )
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
        cr.execute("SELECT array_agg(id ORDER BY id) FROM res_partner WHERE name LIKE 'Bench customer %%'")
        partner_ids = cr.fetchone()[0]
        columns = SQL(", ").join(
            SQL.identifier(c) for c in ("journal_id", "currency_id", "company_id", "auto_post")
        )
        template_columns = SQL(", ").join(
            SQL.identifier("t", c) for c in ("journal_id", "currency_id", "company_id", "auto_post")
        )
        for move_type, count, prefix, buyers in (
            ("out_invoice", invoices, "BINV", len(partner_ids) * 9 // 10),
            ("in_invoice", invoices // 10, "BBIL", len(partner_ids) // 10),
        ):
            cr.execute(
                SQL(
                    """INSERT INTO account_move (name, state, move_type, partner_id, commercial_partner_id,
                                                 invoice_date, date, %(columns)s)
                       SELECT %(prefix)s || '/' || n, 'posted', %(move_type)s, p.id, p.id,
                              CURRENT_DATE - (n %% 730), CURRENT_DATE - (n %% 730), %(template_columns)s
                         FROM generate_series(1, %(count)s) n
                         JOIN account_move t ON t.id = %(template)s
                         JOIN res_partner p
                           ON p.id = (%(ids)s::int[])[1 + (n::bigint * 7919) %% %(buyers)s]""",
                    columns=columns,
                    template_columns=template_columns,
                    prefix=prefix,
                    move_type=move_type,
                    count=count,
                    template=template.id,
                    ids=partner_ids,
                    buyers=buyers,
                )
            )
        if lines_per_invoice:
            # amounts vary per invoice: 1,000 to 100,000 a line, cost 94% to 99% of it
            cr.execute(
                SQL(
                    """INSERT INTO account_move_line (move_id, currency_id, company_id, company_currency_id,
                                                      journal_id, account_id, partner_id, product_id,
                                                      display_type, parent_state, date, invoice_date,
                                                      quantity, price_unit, balance, debit, credit,
                                                      amount_currency, customer_cost)
                       SELECT m.id, t.currency_id, t.company_id, t.company_currency_id, t.journal_id,
                              t.account_id, m.partner_id, t.product_id, 'product', 'posted', m.date,
                              m.invoice_date, 1, a.amount, -a.amount, 0, a.amount, -a.amount,
                              round(a.amount * (0.94 + (m.id %% 6) / 100.0), 2)
                         FROM account_move m
                         JOIN account_move_line t ON t.id = %(template_line)s
                        CROSS JOIN generate_series(1, %(lines)s) k
                        CROSS JOIN LATERAL (SELECT (1000 + (m.id::bigint * 37 + k * 101) %% 99000)::numeric
                                                   AS amount) a
                        WHERE m.name LIKE 'BINV/%%'""",
                    template_line=template_line.id,
                    lines=lines_per_invoice,
                )
            )
    # as a live database: the seeded rows in the statistics and the visibility map
    vacuum_analyze(env)
    print(
        f"seeded {len(partner_ids)} customers, {invoices} invoices with {invoices * lines_per_invoice} lines "
        f"and {invoices // 10} bills in {time.perf_counter() - start:.1f} s (SQL)"
    )
    return env["res.partner"].browse(partner_ids)
