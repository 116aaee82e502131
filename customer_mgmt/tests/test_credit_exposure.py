from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.credit import credit_exposure
from .common import CreditCase


@tagged("post_install", "-at_install")
class TestCreditExposure(CreditCase):
    def test_figures_readable_by_sales_credit_and_accounting_only(self):
        self._post_move(self.customer, "2026-01-10", 700.0)
        employee = self._new_user("cm_employee", "base.group_user")
        with self.assertRaises(AccessError):
            self.customer.with_user(employee).read(["credit_exposure"])
        for user in (self.salesperson, self.controller, self.accountant):
            self.assertEqual(
                self.customer.with_user(user).read(["credit_exposure"])[0]["credit_exposure"], 700.0
            )

    def test_exposure_counts_receivables_drafts_and_orders_in_company_currency(self):
        invoice = self._post_move(self.customer, "2026-01-10", 1000.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 300.0, "payment_date": "2026-01-20"})._create_payments()
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        self._post_move(self.customer, "2026-01-10", 400.0, currency=eur)  # 200 in company currency
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_line_ids": [
                    Command.create({"product_id": self.product_a.id, "price_unit": 150.0, "tax_ids": []})
                ],
            }
        )
        order = self._order(500.0, currency=eur)  # 250 in company currency
        order.action_confirm()
        contact = self.env["res.partner"].create({"name": "采购部", "parent_id": self.customer.id})
        self._order(60.0, partner=contact).action_confirm()
        partner = self.customer
        self.assertEqual(partner.credit_receivable, 700.0 + 200.0)
        self.assertEqual(partner.credit_draft_invoices, 150.0)
        self.assertEqual(partner.credit_uninvoiced_orders, 250.0 + 60.0)
        self.assertEqual(partner.credit_exposure, 900.0 + 150.0 + 310.0)
        self.assertEqual(partner.credit_available, 1000.0 - 1360.0)
        self.assertTrue(partner.credit_over_limit)
        self.assertEqual(contact.credit_exposure, partner.credit_exposure)
        # Invoicing the order moves its amount from orders to draft invoices, not twice.
        order._create_invoices()
        partner.invalidate_recordset()
        self.assertEqual(partner.credit_uninvoiced_orders, 60.0)
        self.assertEqual(partner.credit_exposure, 1360.0)
        draft.button_cancel()
        partner.invalidate_recordset()
        self.assertEqual(partner.credit_exposure, 1210.0)

    def test_overdue_amount_and_days(self):
        today = fields.Date.today()
        self._post_move(self.customer, today - relativedelta(days=45), 800.0)
        self._post_move(self.customer, today - relativedelta(days=10), 100.0)
        self._post_move(self.customer, today, 50.0)
        self.assertEqual(self.customer.credit_overdue_amount, 900.0)
        self.assertEqual(self.customer.credit_overdue_days, 45)

    def test_confirmation_check_reads_the_figures_of_the_customer(self):
        """The check runs the figures' statement from a database function:
        both give the same figures, the default limit included."""
        today = fields.Date.today()
        invoice = self._post_move(self.customer, today - relativedelta(days=40), 1000.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": 300.0, "payment_date": today})._create_payments()
        self._post_move(self.customer, today - relativedelta(days=5), 80.0, move_type="out_refund")
        self._post_move(self.customer, today, 50.0, post=False)
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        self._order(500.0, currency=eur).action_confirm()
        contact = self.env["res.partner"].create({"name": "财务部", "parent_id": self.customer_b.id})
        self._post_move(contact, today - relativedelta(days=3), 90.0)
        self.env["ir.default"].set("res.partner", "credit_limit", 777.0, company_id=self.company.id)
        orders = self._order(10.0) + self._order(20.0, partner=contact)

        checked = self.env["customer.credit.exposure"]._check_figures(self.company, orders)
        figures = (self.customer + self.customer_b)._credit_figures(
            self.company, exclude_order_ids=orders.ids
        )
        self.assertEqual(checked[self.customer.id].pop("order_ids"), [orders[0].id])
        self.assertEqual(checked[self.customer_b.id].pop("order_ids"), [orders[1].id])
        for figure in figures.values():
            figure.pop("order_ids")
        self.assertEqual(checked, figures)
        self.assertEqual(
            figures[self.customer.id],
            {
                "name": self.customer.complete_name,
                "hold_reason": "",
                "limit": 1000.0,
                "hold": False,
                "receivable": 700.0 - 80.0,
                "draft_invoices": 50.0,
                "orders": 250.0,
                "exposure": 620.0 + 50.0 + 250.0,
                "overdue_amount": 700.0,
                "overdue_days": 40,
            },
        )
        self.assertEqual(figures[self.customer_b.id]["limit"], 777.0)
        self.assertEqual(figures[self.customer_b.id]["exposure"], 90.0)

    def test_order_billed_to_another_counts_for_both_customers_once(self):
        """An open order counts for its invoice address's customer and, when
        another customer is billed, for the customer who placed it; billed to a
        contact of its own customer, once. Same figures grouped, per customer
        (check function) and in the over-limit search."""
        buyer = self.env["res.partner"].create({"name": "订货部", "parent_id": self.customer.id})
        accounts = self.env["res.partner"].create({"name": "财务部", "parent_id": self.customer.id})
        billed_elsewhere = self._order(300.0, partner=buyer)
        billed_elsewhere.partner_invoice_id = self.customer_b
        billed_to_own_contact = self._order(40.0, partner=buyer)
        billed_to_own_contact.partner_invoice_id = accounts
        (billed_elsewhere + billed_to_own_contact).action_confirm()
        customers = self.customer + self.customer_b
        figures = customers._credit_figures(self.company)
        self.assertEqual(figures[self.customer.id]["orders"], 340.0)
        self.assertEqual(figures[self.customer_b.id]["orders"], 300.0)
        checked = self.env["customer.credit.exposure"]._check_figures(self.company, self._order(1.0))
        self.assertEqual(checked[self.customer.id]["orders"], 340.0)
        self.customer.sudo().with_company(self.company).credit_limit = 339.99
        self.assertIn(self.customer, self.env["res.partner"].search([("credit_over_limit", "=", True)]))
        self.customer.sudo().with_company(self.company).credit_limit = 340.0
        self.assertNotIn(self.customer, self.env["res.partner"].search([("credit_over_limit", "=", True)]))

    def test_figures_alike_read_customer_by_customer_or_in_one_pass(self):
        """Most customers are summed in one pass over all the rows (see
        SCAN_ALL_MIN), a few through the index: the same figures."""
        today = fields.Date.today()
        accounts = self.env["res.partner"].create({"name": "财务部", "parent_id": self.customer.id})
        self._post_move(self.customer, today - relativedelta(days=30), 500.0)
        self._post_move(accounts, today - relativedelta(days=50), 70.0)
        contact_item = self._post_move(accounts, today, 30.0)
        # an open item of the contact itself (Odoo books them on the company):
        # the customer's sums are those of its members
        self.env.cr.execute(
            SQL(
                """UPDATE account_move_line SET partner_id = %s
                    WHERE move_id = %s AND display_type = 'payment_term'""",
                accounts.id,
                contact_item.id,
            )
        )
        self._post_move(self.customer_b, today, 45.0, post=False)
        self._order(200.0, partner=accounts).action_confirm()
        placed = self._order(80.0, partner=self.customer_b)
        placed.partner_invoice_id = self.customer
        placed.action_confirm()
        customers = self.customer + self.customer_b
        exposure = self.env["customer.credit.exposure"]
        by_lookups = customers._credit_figures(self.company)
        with (
            patch.object(credit_exposure, "SCAN_ALL_MIN", 0),
            patch.object(type(exposure), "_partners_estimate", lambda self: 0),
        ):
            self.assertEqual(customers._credit_figures(self.company), by_lookups)
        names = ("receivable", "draft_invoices", "orders", "overdue_days")
        self.assertEqual(
            {name: by_lookups[self.customer.id][name] for name in names},
            {"receivable": 600.0, "draft_invoices": 0.0, "orders": 280.0, "overdue_days": 50},
        )
        self.assertEqual(
            {name: by_lookups[self.customer_b.id][name] for name in names},
            {"receivable": 0.0, "draft_invoices": 45.0, "orders": 80.0, "overdue_days": 0},
        )

    def test_search_over_limit(self):
        self._post_move(self.customer, "2026-01-10", 1000.0)
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertNotIn(self.customer, over)
        self._post_move(self.customer, "2026-01-11", 0.01)
        over = self.env["res.partner"].search([("credit_over_limit", "=", True)])
        self.assertIn(self.customer, over)
        self.assertNotIn(self.customer_b, over)
        self.assertIn(self.customer_b, self.env["res.partner"].search([("credit_over_limit", "!=", True)]))

    def test_confirmation_check_costs_constant_queries(self):
        self._block()
        for day in range(5):
            self._post_move(self.customer, f"2026-01-{day + 1:02d}", 1.0)
        self.customer.sudo().with_company(self.company).credit_limit = 1e9

        def confirm(warm_up=False):
            order = self._order(10.0)
            self.env.flush_all()
            self.env.invalidate_all()
            if warm_up:  # fills the registry caches (access rules)
                order._credit_check_confirmation()
                return
            # Cold record caches: order, company, currency, and one statement that
            # locks the customer and reads its exposure, limit and hold.
            with self.assertQueryCount(4):
                order._credit_check_confirmation()

        confirm(warm_up=True)
        confirm()
        # 495 more open receivable lines, copied in SQL so the test stays quick.
        line = self.env["account.move.line"].search(
            [("partner_id", "=", self.customer.id), ("account_id.account_type", "=", "asset_receivable")],
            limit=1,
        )
        columns = [
            name for name, field in line._fields.items() if field.store and field.column_type and name != "id"
        ]
        column_sql = SQL(", ").join(SQL.identifier(name) for name in columns)
        self.env.cr.execute(
            SQL(
                "INSERT INTO account_move_line (%s) "
                "SELECT %s FROM account_move_line, generate_series(1, 495) WHERE id = %s",
                column_sql,
                column_sql,
                line.id,
            )
        )
        self.assertEqual(
            self.env["account.move.line"].search_count(
                [
                    ("partner_id", "=", self.customer.id),
                    ("reconciled", "=", False),
                    ("account_id.account_type", "=", "asset_receivable"),
                ]
            ),
            500,
        )
        confirm()
