import re
from contextlib import contextmanager

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, tagged

from .common import CreditCase


@tagged("post_install", "-at_install")
class TestCreditEnforcement(CreditCase):
    def test_off_mode_changes_nothing(self):
        self.customer.sudo().write({"credit_hold": True, "credit_hold_reason": "Old debts"})
        self._post_move(self.customer, "2026-01-10", 5000.0)
        order = self._order(3000.0, user=self.salesperson)
        self.assertFalse(order.partner_credit_warning)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        # Odoo's own credit limit flag is untouched: accountants still set limits themselves.
        self.customer.with_user(self.accountant).credit_limit = 2000.0
        self.assertEqual(self.customer.sudo().credit_limit, 2000.0)

    def test_new_customer_has_no_figures_yet(self):
        card = Form(self.env["res.partner"], view="customer_mgmt.res_partner_view_form_customer")
        card.name = "新客户有限公司"
        self.assertEqual((card.credit_exposure, card.credit_available, card.credit_overdue_days), (0, 0, 0))
        self.assertEqual(card.save().credit_exposure, 0)

    def test_posting_runs_only_odoo_queries_while_off(self):
        invoices = [self._post_move(self.customer, "2026-01-10", 10.0, post=False) for _i in range(2)]
        invoices[0].action_post()  # warms the caches
        queries = []
        with contextmanager(self._patchExecute)(queries, True):
            invoices[1].action_post()
        self.assertEqual(invoices[1].state, "posted")
        ours = [query for query in queries if re.search(r"customer_mgmt|customer_credit|credit_hold", query)]
        self.assertTrue(queries)
        self.assertEqual(ours, [])

    def test_over_limit_refused_by_every_route(self):
        self._block()
        self._post_move(self.customer, "2026-01-10", 600.0)
        small = self._order(300.0, user=self.salesperson)
        big = self._order(500.0, user=self.salesperson)
        as_sales = (small | big).with_user(self.salesperson)
        with self.assertRaisesRegex(UserError, "杭州华东医药批发有限公司") as refusal:
            as_sales.action_confirm()
        message = str(refusal.exception)
        # The exposure counts the orders of the same call confirmed before it.
        for figure in ("900.00", "500.00", "1,000.00"):
            self.assertIn(figure, message)
        self.assertIn(big.name, message)
        self.assertEqual((small | big).mapped("state"), ["draft", "draft"])
        with self.assertRaises(UserError):
            big.with_user(self.salesperson).write({"state": "sale"})
        # A context that JSON-RPC can send does not pass for "already checked".
        with self.assertRaises(UserError):
            big.with_user(self.salesperson).with_context(
                customer_mgmt_credit_checked=[big.id]
            ).action_confirm()
        with self.assertRaises(UserError):
            self.env["sale.order"].with_user(self.salesperson).create(
                {
                    "partner_id": self.customer.id,
                    "state": "sale",
                    "order_line": [
                        Command.create({"product_id": self.product_a.id, "price_unit": 900.0, "tax_ids": []})
                    ],
                }
            )
        small.with_user(self.salesperson).action_confirm()
        self.assertEqual(small.state, "sale")
        # Now the big one would also go over with the small one counted.
        big.order_line.price_unit = 100.01
        with self.assertRaises(UserError):
            big.with_user(self.salesperson).action_confirm()
        big.order_line.price_unit = 100.0
        big.with_user(self.salesperson).action_confirm()
        self.assertEqual(big.state, "sale")

    def test_invoice_address_decides(self):
        self._block()
        self.customer_b.sudo().with_company(self.company).credit_limit = 10.0
        order = self._order(100.0)
        order.partner_invoice_id = self.customer_b
        with self.assertRaisesRegex(UserError, "广州广药医药有限公司"):
            order.action_confirm()

    def test_confirmation_judges_the_written_values(self):
        """A held invoice address or a bigger order written together with the
        state is judged as written, not as the order was before."""
        self._block()
        self._hold(self.customer_b)
        order = self._order(10.0, user=self.salesperson)
        for vals in (
            {"state": "sale", "partner_invoice_id": self.customer_b.id},
            {
                "state": "sale",
                "order_line": [Command.create({"product_id": self.product_a.id, "price_unit": 5000.0})],
            },
        ):
            with self.assertRaises(UserError), self.env.cr.savepoint():
                order.with_user(self.salesperson).write(vals)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_invoice_id, self.customer)
        self.assertEqual(len(order.order_line), 1)

    def test_hold_blocks_and_one_time_release(self):
        self._block()
        self._hold()
        order = self._order(10.0, user=self.salesperson)
        with self.assertRaisesRegex(UserError, "on credit hold"):
            order.with_user(self.salesperson).action_confirm()
        for attempt in (
            lambda: order.with_user(self.salesperson)._credit_release_once("please"),
            lambda: order.with_user(self.salesperson).write({"credit_release_date": fields.Datetime.now()}),
            lambda: self.customer.with_user(self.salesperson)._credit_release("paid"),
            lambda: self.customer.with_user(self.manager).write({"credit_hold": False}),
            lambda: order.with_user(self.salesperson).action_credit_release_once(),
        ):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                attempt()
        self.assertTrue(self.customer.credit_hold)
        wizard = Form(
            self.env["customer.credit.action.wizard"]
            .with_user(self.controller)
            .with_context(default_action="release_order", default_order_id=order.id)
        )
        wizard.reason = "Customer paid by bank transfer today"
        wizard.save().action_apply()
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        log = self.customer.credit_hold_log_ids
        self.assertEqual(log.mapped("action"), ["order_release", "hold"])
        self.assertEqual(log[0].order_id, order)
        self.assertEqual(log[0].user_id, self.controller)
        # The release covers that order's amount only.
        other = self._order(10.0)
        other.with_user(self.controller)._credit_release_once("once")
        other.order_line.price_unit = 20.0
        with self.assertRaises(UserError):
            other.action_confirm()

    def test_request_approval_then_release(self):
        self._block()
        self._hold()
        order = self._order(10.0, user=self.salesperson)
        order.with_user(self.salesperson).action_credit_request_approval()
        self.assertTrue(order.credit_approval_requested)
        activity = order.activity_ids
        self.assertIn(self.controller, activity.user_id)
        order.with_user(self.controller)._credit_release_once("approved")
        self.assertFalse(order.activity_ids)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_batch_confirm_reports_blocked(self):
        self._block()
        self._hold(self.customer_b)
        good = self._order(100.0)
        held = self._order(100.0, partner=self.customer_b)
        over = self._order(2000.0)
        action = (good | held | over).action_confirm_credit_checked()
        self.assertEqual(good.state, "sale")
        self.assertEqual((held | over).mapped("state"), ["draft", "draft"])
        self.assertIn(held.name, action["params"]["message"])
        self.assertIn(over.name, action["params"]["message"])
        self.assertNotIn(good.name, action["params"]["message"])
        self.assertTrue(held.credit_block_reason)

    def test_portal_confirmation_waits_for_credit(self):
        self._block()
        self._hold()
        portal = self._new_user("cm_portal", "base.group_portal")
        order = self._order(10.0)
        order.with_user(portal).sudo().action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertIn("credit hold", order.credit_block_reason)
        self.assertTrue(order.credit_approval_requested)
        self.assertIn(self.controller, order.activity_ids.user_id)

    def test_warn_mode_shows_figures_and_lets_through(self):
        self.company.customer_credit_control = "warn"
        self._post_move(self.customer, "2026-01-10", 900.0)
        order = self._order(300.0)
        self.assertIn("900.00", order.partner_credit_warning)
        self.assertIn("1,000.00", order.partner_credit_warning)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_invoice_checkpoint(self):
        self._block()
        self._hold()
        self._post_move(self.customer, "2026-01-10", 10.0)  # checkpoint off by default
        self.company.customer_credit_check_invoice = True
        with self.assertRaisesRegex(UserError, "cannot be posted"):
            self._post_move(self.customer, "2026-01-10", 10.0)

    def test_credit_limit_changes_only_through_applications_once_on(self):
        self.customer.with_user(self.accountant).credit_limit = 2000.0
        self._block()
        for user in (self.accountant, self.controller):
            with self.assertRaisesRegex(AccessError, "approved credit application"):
                self.customer.with_user(user).credit_limit = 5000.0
        self.assertEqual(self.customer.sudo().credit_limit, 2000.0)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.customer.credit_limit = -1.0
        with self.assertRaises(ValidationError):
            self.company.customer_credit_overdue_days = -1
