#!/usr/bin/env python3
"""Benchmark of the credit check at order confirmation and of exposure.

    python3 -m pip install -r bench/requirements.txt
    odoo -d cm_credit -i customer_mgmt --stop-after-init ...
    odoo -d oca_credit -i sale_management,sale_financial_risk --stop-after-init ...
    python3 bench/bench_credit.py cm_credit oca_credit [--customers 10000] \\
        [--db_host=... --db_user=... --addons-path=...]

Both databases are written to (use throw-away ones). In each, a customer gets
2,000 open invoices (posted through the ORM, so OCA's stored risk fields are
up to date) and other customers get 300 confirmed orders, then 3-line orders
are confirmed one by one: in the customer_mgmt database with credit control
off and with it on block, in the OCA database with sale_financial_risk
blocking on open and draft invoices and orders. The limit is high enough for
every order to pass: we time the check, not the refusal. Orders are confirmed
by the administrator, not as superuser, on freshly vacuumed and analyzed
tables: 5 untimed rounds, then 31 timed ones, control off and block taking
turns. Then, in the customer_mgmt database, --customers customers (10,000 by
default) with 20 open receivable lines each are seeded in SQL to time the
exposure of all of them and the search for those over their limit.
"""

import argparse
import statistics
import time

from common import vacuum_analyze, without_foreign_key_checks

import odoo
from odoo.fields import Command
from odoo.tools import SQL

RUNS = 31
WARM_UP = 5  # untimed confirmations first: registry, ORM and PostgreSQL caches warm


def environment(database):
    registry = odoo.modules.registry.Registry(database)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def customer_with_open_invoices(env, count=2000):
    product = env["product.product"].create({"name": "Bench credit product", "list_price": 10.0})
    partner = env["res.partner"].create({"name": "Bench credit customer", "is_company": True})
    start = time.perf_counter()
    for _batch in range(count // 250):
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-10-01",
                    "invoice_line_ids": [Command.create({"product_id": product.id, "price_unit": 10.0})],
                }
                for _i in range(250)
            ]
        )
        moves.action_post()
        env.cr.commit()
    order_history(env, product)
    vacuum_analyze(env)
    print(f"  {count} open invoices and an order history posted in {time.perf_counter() - start:.0f} s")
    return partner, product


def order_history(env, product, count=300, customers=30):
    """Confirmed orders of other customers, a third of them invoiced: the
    sale tables of a database in use. Planned on empty tables, the credit
    check's cached plan would scan order lines as if there were none."""
    partners = env["res.partner"].create([{"name": f"Bench history customer {n}"} for n in range(customers)])
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partners[n % customers].id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty, "price_unit": 10.0})
                    for qty in (1, 2, 3)
                ],
            }
            for n in range(count)
        ]
    )
    orders.action_confirm()
    orders[: count // 3]._create_invoices().action_post()
    env.cr.commit()


def confirm_runs(env, partner, product, modes, add_line=False):
    """{label: (median ms, median queries)} of action_confirm() of a 3-line
    order (with ``add_line``: of adding a fourth line to it once confirmed),
    by the administrator as an interactive user (not as superuser, whose
    portal and payment path differs). ``modes`` maps a label to the company
    values it runs with; the modes take turns, run after run, so that the
    machine's ups and downs fall on all of them alike."""
    env = env(user=env.ref("base.user_admin"))
    company = env.company.sudo()
    samples = {label: ([], []) for label in modes}
    for run in range(WARM_UP + RUNS):
        for label, values in modes.items():
            company.write(values)
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": qty, "price_unit": 10.0})
                        for qty in (1, 2, 3)
                    ],
                }
            )
            if add_line:
                order.action_confirm()
            env.cr.commit()
            env.invalidate_all()
            before = env.cr.sql_log_count
            start = time.perf_counter()
            if add_line:
                order.write({"order_line": [Command.create({"product_id": product.id, "price_unit": 10.0})]})
            else:
                order.action_confirm()
            env.flush_all()
            if run >= WARM_UP:
                samples[label][0].append(time.perf_counter() - start)
                samples[label][1].append(env.cr.sql_log_count - before)
            env.cr.commit()
    results = {}
    for label, (times, queries) in samples.items():
        results[label] = (statistics.median(times) * 1000, int(statistics.median(queries)))
        print(f"  {label:<44} {results[label][0]:8.1f} ms {results[label][1]:5d} queries")
    return results


def bench_customer_mgmt(database, customers):
    print(f"customer_mgmt ({database})")
    env = environment(database)
    partner, product = customer_with_open_invoices(env)
    partner.credit_limit = 1e12
    results = confirm_runs(
        env,
        partner,
        product,
        {
            "confirm, credit control off": {"customer_credit_control": "off"},
            "confirm, credit control block": {"customer_credit_control": "block"},
        },
    )
    changes = confirm_runs(
        env,
        partner,
        product,
        {
            "add a line to a confirmed order, control off": {"customer_credit_control": "off"},
            "add a line to a confirmed order, control block": {"customer_credit_control": "block"},
        },
        add_line=True,
    )
    env.company.customer_credit_control = "off"
    env.cr.commit()
    exposure(env, customers)
    env.cr.close()
    return (*results.values(), *changes.values())


def exposure(env, customers=10000, lines=20):
    cr = env.cr
    template = env["account.move.line"].search(
        [
            ("partner_id.name", "=", "Bench credit customer"),
            ("account_id.account_type", "=", "asset_receivable"),
        ],
        limit=1,
    )
    columns = [
        name
        for name, field in template._fields.items()
        if field.store
        and field.column_type
        and name not in ("id", "partner_id", "amount_residual", "date_maturity")
    ]
    column_sql = SQL(", ").join(SQL.identifier(name) for name in columns)
    with without_foreign_key_checks(cr):
        cr.execute(
            SQL(
                """INSERT INTO res_partner (name, complete_name, is_company, active, customer_rank, type,
                                            autopost_bills, credit_limit)
                   SELECT 'Bench exposure ' || n, 'Bench exposure ' || n, TRUE, TRUE, 1, 'contact', 'ask',
                          jsonb_build_object(%s::text, 20000 + (n %% 7) * 10000)
                     FROM generate_series(1, %s) n""",
                env.company.id,
                customers,
            )
        )
        cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
        cr.execute(
            SQL(
                """INSERT INTO account_move_line (%s, partner_id, amount_residual, date_maturity)
                   SELECT %s, p.id, 100 + (p.id::bigint * 13 + k * 7) %% 2000, CURRENT_DATE - (k * 5)
                     FROM account_move_line, generate_series(1, %s) k,
                          (SELECT id FROM res_partner WHERE name LIKE 'Bench exposure %%') p
                    WHERE account_move_line.id = %s""",
                column_sql,
                column_sql,
                lines,
                template.id,
            )
        )
    vacuum_analyze(env)
    partners = env["res.partner"].search([("name", "=like", "Bench exposure %")])
    print(f"  seeded {len(partners)} customers with {lines} open receivable lines each")
    for label, func in (
        ("exposure of all customers", lambda: partners._credit_figures(env.company)),
        (
            "search customers over their limit",
            lambda: env["res.partner"].search([("credit_over_limit", "=", True)]),
        ),
    ):
        env.invalidate_all()
        before = cr.sql_log_count
        start = time.perf_counter()
        result = func()
        print(
            f"  {label:<44} {time.perf_counter() - start:8.3f} s  {cr.sql_log_count - before:5d} queries "
            f"({len(result)} customers)"
        )


def bench_oca(database):
    print(f"OCA sale_financial_risk ({database})")
    env = environment(database)
    partner, product = customer_with_open_invoices(env)
    partner.write(
        {
            "credit_limit": 1e12,
            "risk_invoice_draft_include": True,
            "risk_invoice_open_include": True,
            "risk_sale_order_include": True,
        }
    )
    env.cr.commit()
    (result,) = confirm_runs(env, partner, product, {"confirm, sale_financial_risk blocking": {}}).values()
    env.cr.close()
    return result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("database")
    parser.add_argument("oca_database")
    parser.add_argument(
        "--customers",
        type=int,
        default=10000,
        help="customers seeded with open receivable lines for the exposure and over-limit search",
    )
    args, odoo_args = parser.parse_known_args()
    odoo.tools.config.parse_config(["-d", args.database, *odoo_args])
    off, block, change_off, change_block = bench_customer_mgmt(args.database, args.customers)
    oca = bench_oca(args.oca_database)
    print(
        f"\n{'action_confirm(), 3 lines, 2,000 open invoices':<48} {'median':>10} "
        f"{'queries':>8} {'vs off':>7}"
    )
    for label, (ms, queries) in (
        ("customer_mgmt, control off", off),
        ("customer_mgmt, control block", block),
        ("OCA sale_financial_risk, blocking", oca),
    ):
        print(f"{label:<48} {ms:8.1f} ms {queries:8d} {ms / off[0]:6.2f}x")
    print(f"\n{'write(): a line added to a confirmed order':<48} {'median':>10} {'queries':>8} {'vs off':>7}")
    for label, (ms, queries) in (
        ("customer_mgmt, control off", change_off),
        ("customer_mgmt, control block", change_block),
    ):
        print(f"{label:<48} {ms:8.1f} ms {queries:8d} {ms / change_off[0]:6.2f}x")


if __name__ == "__main__":
    main()
