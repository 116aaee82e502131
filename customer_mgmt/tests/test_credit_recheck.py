from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CreditCase


@tagged("post_install", "-at_install")
class TestCreditRecheck(CreditCase):
    """A credit decision holds for the whole life of the order."""

    def _confirmed(self, amount, partner=None):
        order = self._order(amount, partner=partner, user=self.salesperson)
        order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def test_growing_a_confirmed_order_is_judged_again(self):
        self._block()
        order = self._confirmed(800.0)
        line = order.order_line
        as_sales = order.with_user(self.salesperson)
        with self.assertRaisesRegex(UserError, f"{order.name}.*would go over its credit limit"):
            as_sales.write(
                {"order_line": [Command.create({"product_id": self.product_a.id, "price_unit": 300.0})]}
            )
        with self.assertRaisesRegex(UserError, "would go over its credit limit"):
            self.env["sale.order.line"].create(
                {"order_id": order.id, "product_id": self.product_a.id, "price_unit": 300.0, "tax_ids": []}
            )
        for values in ({"product_uom_qty": 2}, {"price_unit": 1300.0}):
            with self.subTest(values=values), self.assertRaisesRegex(UserError, "would go over"):
                line.with_user(self.salesperson).write(values)
        self.assertRecordValues(line, [{"product_uom_qty": 1, "price_unit": 800.0}])
        self.assertEqual(len(order.order_line), 1)
        # what lowers or keeps what is owed passes
        line.with_user(self.salesperson).write({"price_unit": 700.0})
        as_sales.write(
            {"order_line": [Command.create({"product_id": self.product_a.id, "price_unit": 250.0})]}
        )
        self.assertEqual((order.state, len(order.order_line)), ("sale", 2))

    def test_change_of_customer_or_invoice_address_is_judged(self):
        self._block()
        order = self._order(100.0, partner=self.customer_b)
        order.action_confirm()
        self._hold()
        for field in ("partner_invoice_id", "partner_id"):
            with self.subTest(field=field), self.assertRaisesRegex(UserError, "is on credit hold"):
                order.write({field: self.customer.id})
        self.assertEqual(order.partner_invoice_id, self.customer_b)

    def test_control_off_leaves_confirmed_orders_alone(self):
        order = self._confirmed(800.0)
        self._hold()
        order.order_line.product_uom_qty = 5
        self.assertEqual(order.order_line.product_uom_qty, 5)

    def test_held_customer_billed_to_another_is_refused(self):
        """A hold is on the customer, whoever is billed."""
        self._block()
        self._hold()
        order = self._order(10.0)
        order.partner_invoice_id = self.customer_b
        with self.assertRaisesRegex(UserError, "杭州华东医药批发有限公司 is on credit hold"):
            order.with_user(self.salesperson).action_confirm()
        self.assertEqual(order.state, "draft")

    def test_release_is_used_once_and_voided(self):
        self._block()
        self._hold()
        order = self._order(100.0)
        order.with_user(self.controller)._credit_release_once("Cash on delivery")
        order.with_user(self.salesperson).action_confirm()
        self.assertRecordValues(order, [{"state": "sale", "credit_release_used": True}])
        # a change after the confirmation is not covered by the used release
        with self.assertRaisesRegex(UserError, "is on credit hold"):
            order.order_line.with_user(self.salesperson).product_uom_qty = 2
        order.with_user(self.salesperson).action_cancel()
        self.assertFalse(order.credit_release_date)
        log = self.env["customer.credit.hold.log"].search([("order_id", "=", order.id)])
        self.assertEqual(log.mapped("action"), ["order_release_void", "order_release"])
        order.with_user(self.salesperson).action_draft()
        with self.assertRaisesRegex(UserError, "is on credit hold"):
            order.with_user(self.salesperson).action_confirm()

    def test_release_voided_by_another_customer(self):
        self._block()
        self._hold(self.customer_b)
        order = self._order(100.0, partner=self.customer_b)
        order.with_user(self.controller)._credit_release_once("Paid in cash")
        order.partner_id = self.customer
        order.partner_id = self.customer_b
        self.assertFalse(order.credit_release_date)
        with self.assertRaisesRegex(UserError, "is on credit hold"):
            order.with_user(self.salesperson).action_confirm()

    def test_computed_inputs_cannot_be_written(self):
        order = self._confirmed(100.0)
        invoice = self._post_move(self.customer, "2026-01-10", 50.0)
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        contact = self.env["res.partner"].create({"name": "采购部", "parent_id": self.customer.id})
        targets = [
            (order, {"currency_rate": 10.0}),
            (order, {"invoice_status": "invoiced"}),
            (order, {"amount_total": 1.0}),
            (order.order_line, {"qty_invoiced": 1.0}),
            (order.order_line, {"price_total": 0.0}),
            (receivable, {"amount_residual": 0.0}),
            (invoice, {"amount_total_signed": 0.0}),
            (contact, {"commercial_partner_id": contact.id}),
        ]
        for user in (self.salesperson, self.controller, self.accountant):
            for record, values in targets:
                with (
                    self.subTest(user=user.login, field=next(iter(values))),
                    # (or before, for users who may not write the model at all)
                    self.assertRaisesRegex(AccessError, "computed by Odoo|not allowed to modify"),
                ):
                    record.with_user(user).write(values)
        self.assertEqual(order.currency_rate, 1.0)
        self.assertEqual(receivable.amount_residual, 50.0)
        self.assertEqual(contact.commercial_partner_id, self.customer)

    def test_contact_moving_into_a_customer_is_judged(self):
        self._block()
        contact = self.env["res.partner"].create({"name": "王经理", "is_company": True})
        self._post_move(contact, "2026-01-10", 900.0)
        self._post_move(self.customer, "2026-01-10", 200.0)
        with self.assertRaisesRegex(UserError, "王经理.*would go over its credit limit"):
            contact.write({"is_company": False, "parent_id": self.customer.id})
        self.assertFalse(contact.parent_id)
        self._hold(self.customer_b)
        member = self.env["res.partner"].create({"name": "仓库", "parent_id": self.customer_b.id})
        with self.assertRaisesRegex(UserError, "on credit hold: ask a credit controller"):
            member.with_user(self.salesperson_b).parent_id = False
        self.assertEqual(member.parent_id, self.customer_b)
