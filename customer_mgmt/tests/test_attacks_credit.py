"""Hostile users against the credit control, over real HTTP.

Every attack is made by a user with the lowest rights that can try it, through
Odoo 19's JSON-2 API (``POST /json/2/<model>/<method>`` with the user's API
key), as a script or a modified client would. Each test says what the attacker
tries, asserts the exact refusal (error class and a key phrase of its message)
and that nothing was written. Comments ``# HOLE:`` name the routes that got
through before they were closed (``# BUG:`` a legitimate change that was
wrongly refused). With ``ATK_DEBUG=1`` in the environment, a refusal logs the server's traceback.

The HTTP requests run in the test's transaction (HttpCase): the company's
credit control is set with ``self.env`` before calling. The concurrency attack
needs two real transactions and is made with two database cursors instead.
"""

import logging
import os

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, TransactionCase, tagged

from .common import CommittedRaceMixin, CreditCase

_logger = logging.getLogger(__name__)

HOLD_REASON = "Cheque bounced"
RECHECK_REFUSED = "The change to the confirmed order was not saved: ask a credit controller."
CONFIRM_REFUSED = "Ask a credit controller for a release (Request Credit Approval)."
OVER_LIMIT = "would go over its credit limit"
ON_HOLD = f"is on credit hold ({HOLD_REASON})"
COMPUTED = "are computed by Odoo and cannot be written: the credit control relies on them."
CREDIT_ACTIONS_ONLY = "change only through the credit actions"
LIMIT_BY_APPLICATION = "changes only through an approved credit application"
CONTROLLERS_ONLY = "Only credit controllers hold and release customers and orders"


class RpcAttackMixin:
    """Calls to the running server over JSON-2, as a given user."""

    def _api_key(self, user):
        keys = self.__dict__.setdefault("_attack_api_keys", {})
        if user.id not in keys:
            # sudo() for a key without expiry; the key is still the user's
            keys[user.id] = (
                self.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "hostile test", None)
            )
        return keys[user.id]

    def rpc(self, user, model, method, ids=(), context=None, **kwargs):
        """``model.method(**kwargs)`` on ``ids`` as ``user``, over HTTP: the response."""
        key = self._api_key(user)
        self.env.flush_all()
        response = self.url_open(
            f"/json/2/{model}/{method}",
            json={"ids": list(ids), "context": context or {}, **kwargs},
            headers={"Authorization": f"bearer {key}", "X-Odoo-Database": self.env.cr.dbname},
            timeout=180,
        )
        self.env.invalidate_all()
        return response

    def assertRefused(self, response, error, *phrases):
        """The call was refused with ``error`` (class name) and a message
        holding every phrase of ``phrases``."""
        self.assertNotEqual(
            response.status_code, 200, f"GETS THROUGH (refusal {error} expected): {response.text[:300]}"
        )
        body = response.json()
        message = body.get("message", "")
        if os.environ.get("ATK_DEBUG") and isinstance(body, dict) and body.get("debug"):
            _logger.warning("server traceback:\n%s", body["debug"][-3000:])
        self.assertEqual(body.get("name"), f"odoo.exceptions.{error}", message)
        for phrase in phrases:
            self.assertIn(phrase, message)
        return message

    def assertPassed(self, response):
        body = response.json()
        self.assertEqual(response.status_code, 200, body.get("message") if isinstance(body, dict) else body)
        return body


@tagged("post_install", "-at_install")
class CreditAttackCase(RpcAttackMixin, CreditCase, HttpCase):
    """The credit roles of ``CreditCase`` plus a customer on hold, a service
    product (no deliveries) and a tax, for attacks over HTTP. ``customer``
    (salesperson A's) has a limit of 1,000."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.held = cls.env["res.partner"].create(
            {"name": "宁波欠款商贸有限公司", "is_company": True, "user_id": cls.salesperson.id}
        )
        cls.held.with_user(cls.controller)._credit_hold(HOLD_REASON)
        cls.service = cls.env["product.product"].create(
            {
                "name": "Annual maintenance",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.tax = cls.env["account.tax"].create({"name": "VAT 15% (attacks)", "amount": 15.0})

    def setUp(self):
        super().setUp()
        # Only the test company may block: the demo company does too, and a change
        # of a customer's parent is judged in every blocking company, which the
        # test users do not work in (see test_move_in_one_company_while_another_blocks).
        self.env["res.company"].search(
            [("id", "!=", self.company.id), ("customer_credit_control", "=", "block")]
        ).customer_credit_control = "off"

    def _draft(self, partner=None, qty=1.0, price=100.0, discount=0.0, user=None, **vals):
        """A quotation made by ``user`` (salesperson A by default)."""
        return (
            self.env["sale.order"]
            .with_user(user or self.salesperson)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    **vals,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.service.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "discount": discount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
            .with_user(self.env.user)
        )

    def _confirmed(self, partner=None, qty=1.0, price=100.0, discount=0.0, user=None, **vals):
        order = self._draft(partner, qty, price, discount, user, **vals)
        order.with_user(user or self.salesperson).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _admin_here(self):
        """The administrator (not superuser over RPC), working in the test company."""
        admin = self.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(self.company.id)], "company_id": self.company.id})
        return admin

    def _log_count(self, partner):
        return self.env["customer.credit.hold.log"].search_count([("partner_id", "=", partner.id)])


@tagged("post_install", "-at_install")
class TestAttackConfirmedOrder(CreditAttackCase):
    """1. A credit decision holds for the whole life of the order.

    ``order`` is confirmed for ``customer`` (limit 1,000): 2 x 900 at 50 %
    discount = 900 owed, 100 left. Each attack tries to make the confirmed
    order owe more (or move it onto a held customer) as salesperson A, who
    owns both."""

    def setUp(self):
        super().setUp()
        self._block()
        # the list price: a quantity change re-prices a line from its pricelist
        self.service.list_price = 900.0
        self.order = self._confirmed(qty=2.0, price=900.0, discount=50.0)
        self.line = self.order.order_line
        self.assertEqual(self.order.amount_total, 900.0)

    def assertNothingWritten(self):
        self.assertEqual(len(self.order.order_line), 1)
        self.assertRecordValues(
            self.line, [{"product_uom_qty": 2.0, "price_unit": 900.0, "discount": 50.0, "tax_ids": []}]
        )
        self.assertRecordValues(
            self.order,
            [
                {
                    "amount_total": 900.0,
                    "partner_id": self.customer.id,
                    "partner_invoice_id": self.customer.id,
                    "state": "sale",
                }
            ],
        )

    def assertRecheckRefused(self, response, *phrases):
        self.assertRefused(response, "UserError", self.order.name, RECHECK_REFUSED, *phrases)
        self.assertNothingWritten()

    def test_add_line_through_the_order(self):
        # The attacker adds a 200 line to the confirmed order with an x2many command.
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            [self.order.id],
            vals={
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.service.id,
                            "product_uom_qty": 1,
                            "price_unit": 200.0,
                            "tax_ids": [],
                        }
                    )
                ]
            },
        )
        self.assertRecheckRefused(response, self.customer.name, OVER_LIMIT)

    def test_create_line_directly(self):
        # The attacker creates the line on sale.order.line, pointing at the confirmed order.
        response = self.rpc(
            self.salesperson,
            "sale.order.line",
            "create",
            vals_list=[
                {
                    "order_id": self.order.id,
                    "product_id": self.service.id,
                    "product_uom_qty": 1,
                    "price_unit": 200.0,
                    "tax_ids": [],
                }
            ],
        )
        self.assertRecheckRefused(response, self.customer.name, OVER_LIMIT)

    def test_raise_line_quantity(self):
        # 2 -> 3 units: 1,350 owed.
        response = self.rpc(
            self.salesperson, "sale.order.line", "write", self.line.ids, vals={"product_uom_qty": 3.0}
        )
        self.assertRecheckRefused(response, OVER_LIMIT)

    def test_raise_line_price(self):
        # 900 -> 1,200 a unit: 1,200 owed.
        response = self.rpc(
            self.salesperson, "sale.order.line", "write", self.line.ids, vals={"price_unit": 1200.0}
        )
        self.assertRecheckRefused(response, OVER_LIMIT)

    def test_lower_line_discount(self):
        # A smaller discount is more owed: 50 % -> 0 %, 1,800 owed.
        response = self.rpc(
            self.salesperson, "sale.order.line", "write", self.line.ids, vals={"discount": 0.0}
        )
        self.assertRecheckRefused(response, OVER_LIMIT)

    def test_add_tax_to_line(self):
        # A 15 % tax on the line: 1,035 owed.
        response = self.rpc(
            self.salesperson,
            "sale.order.line",
            "write",
            self.line.ids,
            vals={"tax_ids": [Command.set(self.tax.ids)]},
        )
        self.assertRecheckRefused(response, OVER_LIMIT)

    def test_update_line_through_the_order(self):
        # The same quantity raise, as an x2many update command on the order.
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            [self.order.id],
            vals={"order_line": [Command.update(self.line.id, {"product_uom_qty": 3.0})]},
        )
        self.assertRecheckRefused(response, OVER_LIMIT)

    def test_move_line_of_a_quotation_into_the_confirmed_order(self):
        # A 500 line of a quotation is moved into the confirmed order (order_id rewritten).
        quotation = self._draft(price=500.0)
        response = self.rpc(
            self.salesperson,
            "sale.order.line",
            "write",
            quotation.order_line.ids,
            vals={"order_id": self.order.id},
        )
        self.assertRecheckRefused(response, OVER_LIMIT)
        self.assertEqual(quotation.order_line.order_id, quotation)

    def test_change_customer_to_held_customer(self):
        # The confirmed order is handed to a customer on credit hold.
        response = self.rpc(
            self.salesperson, "sale.order", "write", [self.order.id], vals={"partner_id": self.held.id}
        )
        self.assertRecheckRefused(response, self.held.name, ON_HOLD)

    def test_change_invoice_address_to_held_customer(self):
        # The confirmed order is billed to a customer on credit hold.
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            [self.order.id],
            vals={"partner_invoice_id": self.held.id},
        )
        self.assertRecheckRefused(response, self.held.name, ON_HOLD)

    def test_change_invoice_address_with_no_recheck_context(self):
        # HOLE: the context key customer_mgmt_no_recheck, meant for the module's own
        # sudo write, is a plain context value that any RPC call can send: with it, a
        # confirmed order is moved onto a held customer (or another company) unjudged.
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            [self.order.id],
            context={"customer_mgmt_no_recheck": True},
            vals={"partner_invoice_id": self.held.id},
        )
        self.assertRecheckRefused(response, self.held.name, ON_HOLD)

    def test_lower_quantity_passes(self):
        # Lowering what is owed is not an attack: 2 -> 1 unit passes, 450 owed.
        response = self.rpc(
            self.salesperson, "sale.order.line", "write", self.line.ids, vals={"product_uom_qty": 1.0}
        )
        self.assertPassed(response)
        self.assertEqual(self.order.amount_total, 450.0)

    def test_raise_within_limit_passes(self):
        # Growing within the limit (900 -> 990) is allowed: the recheck is not a blanket ban.
        response = self.rpc(
            self.salesperson, "sale.order.line", "write", self.line.ids, vals={"price_unit": 990.0}
        )
        self.assertPassed(response)
        self.assertEqual(self.order.amount_total, 990.0)

    def test_lower_the_draft_invoice_of_the_order(self):
        # Odoo counts the order as invoiced once its invoice is drafted: the draft
        # stands for it in the exposure, and lowering it would free the limit. Only
        # billing users edit invoices (Odoo's access rights): the salesperson cannot.
        invoice = self.order.with_user(self.salesperson)._create_invoices().with_user(self.env.user)
        line = invoice.invoice_line_ids
        self.assertEqual((self.order.invoice_status, invoice.amount_total), ("invoiced", 900.0))
        for model, ids, vals in (
            ("account.move.line", line.ids, {"price_unit": 1.0}),
            (
                "account.move",
                invoice.ids,
                {"invoice_line_ids": [Command.update(line.id, {"price_unit": 1.0})]},
            ),
            ("account.move", invoice.ids, {"partner_id": self.customer_b.id}),
        ):
            with self.subTest(model=model, vals=vals):
                response = self.rpc(self.salesperson, model, "write", ids, vals=vals)
                self.assertRefused(response, "AccessError")
                self.assertRecordValues(invoice, [{"amount_total": 900.0, "partner_id": self.customer.id}])


@tagged("post_install", "-at_install")
class TestAttackOrderCurrencyAndCompany(CreditAttackCase):
    """1. (cont.) The order's currency rate and company."""

    def setUp(self):
        super().setUp()
        self._block()

    def test_rerate_foreign_currency_order_through_date_order(self):
        # HOLE: date_order is not among the inputs judged again, but the stored
        # currency_rate is recomputed from it: back-dating a confirmed EUR order to
        # a date with a weaker rate doubles what it owes in company currency, unjudged.
        eur = self.setup_other_currency("EUR", rates=[("2000-01-01", 1.0), ("2016-01-01", 2.0)])
        pricelist = self.env["product.pricelist"].create({"name": "EUR attacks", "currency_id": eur.id})
        order = self._confirmed(price=1800.0, pricelist_id=pricelist.id)  # 1,800 EUR = 900
        self.assertAlmostEqual(order.amount_total / order.currency_rate, 900.0)
        response = self.rpc(
            self.salesperson, "sale.order", "write", order.ids, vals={"date_order": "2001-01-01 10:00:00"}
        )
        self.assertRefused(response, "UserError", order.name, OVER_LIMIT, RECHECK_REFUSED)
        self.assertEqual(order.currency_rate, 2.0)
        self.assertEqual(self.customer.with_company(self.company).credit_exposure, 900.0)

    def test_move_order_from_lax_company_into_strict_one(self):
        # The order is confirmed in a company whose credit control is off, then
        # moved into the company that blocks, where the customer has 100 left.
        lax = self.setup_other_company(name="松江分公司")["company"]
        lax.customer_credit_control = "off"
        self.salesperson.company_ids = [Command.link(lax.id)]
        self._confirmed(price=900.0)  # 900 owed in the strict company
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        order = self._draft(price=500.0, user=self.salesperson.with_company(lax), company_id=lax.id)
        order.with_user(self.salesperson).with_company(lax).action_confirm()
        self.assertEqual(order.state, "sale")
        pricelist = self.env["product.pricelist"].search(
            [("company_id", "in", [self.company.id, False])], limit=1
        )
        # with the strict company's pricelist, that Odoo's company check lets pass
        vals = {"company_id": self.company.id, "pricelist_id": pricelist.id}
        if "warehouse_id" in order._fields:
            vals["warehouse_id"] = warehouse.id
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            order.ids,
            context={"allowed_company_ids": [lax.id, self.company.id]},
            vals=vals,
        )
        # refused by the credit re-check, or before it by Odoo's company consistency (its
        # pricelist), depending on the demo data: either way the order stays where it was
        self.assertRefused(response, "UserError")
        self.assertEqual(order.company_id, lax)


@tagged("post_install", "-at_install")
class TestAttackCustomerMoves(CreditAttackCase):
    """1. (cont.) Moving a contact that owes something between customers.

    ``customer`` (limit 1,000) owes 900 on a confirmed order; ``held`` is on
    credit hold. The attacker is salesperson A, who owns them all."""

    def setUp(self):
        super().setUp()
        self._block()
        self._confirmed(qty=1.0, price=900.0)

    def _debtor(self, name="李明 (个体)", parent=None):
        """A partner of salesperson A that owes 600 on a confirmed order."""
        debtor = self.env["res.partner"].create(
            {"name": name, "user_id": self.salesperson.id, **({"parent_id": parent.id} if parent else {})}
        )
        self._confirmed(debtor, price=600.0)
        return debtor

    def test_move_contact_with_open_order_under_over_limit_customer(self):
        # 600 of open orders joins a customer with 100 left.
        debtor = self._debtor()
        response = self.rpc(
            self.salesperson, "res.partner", "write", debtor.ids, vals={"parent_id": self.customer.id}
        )
        self.assertRefused(response, "UserError", debtor.name, self.customer.name, OVER_LIMIT)
        self.assertFalse(debtor.parent_id)
        self.assertEqual(debtor.commercial_partner_id, debtor)

    def test_move_contact_with_posted_invoice_under_over_limit_customer(self):
        # 600 of posted, unpaid invoices joins a customer with 100 left.
        debtor = self.env["res.partner"].create({"name": "王芳 (个体)", "user_id": self.salesperson.id})
        self._post_move(debtor, fields.Date.today(), 600.0)
        response = self.rpc(
            self.salesperson, "res.partner", "write", debtor.ids, vals={"parent_id": self.customer.id}
        )
        self.assertRefused(response, "UserError", debtor.name, OVER_LIMIT)
        self.assertFalse(debtor.parent_id)

    def test_move_contact_under_held_customer(self):
        # A contact with an open order is moved under a customer on hold.
        debtor = self._debtor()
        response = self.rpc(
            self.salesperson, "res.partner", "write", debtor.ids, vals={"parent_id": self.held.id}
        )
        self.assertRefused(
            response, "UserError", debtor.name, self.held.name, "on credit hold: ask a credit controller"
        )
        self.assertFalse(debtor.parent_id)

    def test_link_contact_under_held_customer_through_child_ids(self):
        # The same move, as an x2many link on the held customer.
        debtor = self._debtor()
        response = self.rpc(
            self.salesperson,
            "res.partner",
            "write",
            self.held.ids,
            vals={"child_ids": [Command.link(debtor.id)]},
        )
        self.assertRefused(response, "UserError", debtor.name, self.held.name, "on credit hold")
        self.assertFalse(debtor.parent_id)

    def test_move_contact_out_of_held_customer(self):
        # A contact of the held customer (billed on its own address) leaves it,
        # taking its open order out of the hold.
        contact = self.env["res.partner"].create({"name": "欠款商贸 采购部", "parent_id": self.held.id})
        order = self._draft(contact, price=50.0)
        order.with_user(self.controller)._credit_release_once("Paid cash")
        order.with_user(self.salesperson).action_confirm()
        response = self.rpc(self.salesperson, "res.partner", "write", contact.ids, vals={"parent_id": False})
        self.assertRefused(response, "UserError", contact.name, self.held.name, "on credit hold")
        self.assertEqual(contact.parent_id, self.held)
        self.assertEqual(contact.commercial_partner_id, self.held)

    def test_contact_of_held_customer_becomes_a_company(self):
        # is_company makes the contact its own commercial partner: it leaves the hold.
        contact = self.env["res.partner"].create({"name": "欠款商贸 分店", "parent_id": self.held.id})
        response = self.rpc(self.salesperson, "res.partner", "write", contact.ids, vals={"is_company": True})
        self.assertRefused(response, "UserError", contact.name, self.held.name, "on credit hold")
        self.assertFalse(contact.is_company)
        self.assertEqual(contact.commercial_partner_id, self.held)

    def test_move_contact_owing_nothing_passes(self):
        # A new contact owing nothing may join the customer near its limit.
        contact = self.env["res.partner"].create({"name": "赵强", "user_id": self.salesperson.id})
        self.assertPassed(
            self.rpc(
                self.salesperson, "res.partner", "write", contact.ids, vals={"parent_id": self.customer.id}
            )
        )
        self.assertEqual(contact.commercial_partner_id, self.customer)

    def test_move_in_one_company_while_another_blocks(self):
        # BUG (an over-refusal, not a hole): a move is judged in every company whose
        # control blocks, with company-dependent reads in each; a salesperson who
        # does not work in all of them cannot move even a contact owing nothing
        # (AccessError "Access to unauthorized or invalid companies").
        other = self.env["res.company"].create({"name": "苏州分公司", "customer_credit_control": "block"})
        self.assertNotIn(other, self.salesperson.company_ids)
        contact = self.env["res.partner"].create({"name": "孙丽", "user_id": self.salesperson.id})
        self.assertPassed(
            self.rpc(
                self.salesperson, "res.partner", "write", contact.ids, vals={"parent_id": self.customer.id}
            )
        )
        self.assertEqual(contact.commercial_partner_id, self.customer)


@tagged("post_install", "-at_install")
class TestAttackForgedInputs(CreditAttackCase):
    """2. Nothing the check reads can be forged.

    A confirmed order (900) and a posted invoice (300) of ``customer``; each
    stored computed field the exposure reads is written over RPC by a
    salesperson, a credit controller, a credit manager and the administrator."""

    def setUp(self):
        super().setUp()
        self._block()
        self.order = self._confirmed(qty=2.0, price=450.0)
        self.invoice = self._post_move(self.customer, fields.Date.today(), 300.0)
        self.receivable = self.invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _targets(self):
        """(model, record, field, forged value)"""
        return [
            ("sale.order", self.order, "currency_rate", 1000.0),
            ("sale.order", self.order, "invoice_status", "invoiced"),
            ("sale.order", self.order, "amount_total", 1.0),
            ("sale.order", self.order, "amount_untaxed", 1.0),
            ("sale.order.line", self.order.order_line, "qty_invoiced", 2.0),
            ("sale.order.line", self.order.order_line, "price_total", 1.0),
            ("account.move.line", self.receivable, "amount_residual", 0.0),
            ("account.move", self.invoice, "amount_total_signed", 0.0),
            ("res.partner", self.customer, "commercial_partner_id", self.customer_b.id),
        ]

    def _attack_computed_fields(self, user):
        for model, record, field, value in self._targets():
            with self.subTest(user=user.login, model=model, field=field):
                before = record.read([field])[0][field]
                response = self.rpc(user, model, "write", record.ids, vals={field: value})
                if self.env[model].with_user(user).has_access("write"):
                    self.assertRefused(response, "AccessError", COMPUTED, field)
                else:  # refused before: no write on that model at all
                    self.assertRefused(response, "AccessError")
                self.assertEqual(record.read([field])[0][field], before)

    def test_forge_as_salesperson(self):
        self._attack_computed_fields(self.salesperson)

    def test_forge_as_credit_controller(self):
        self._attack_computed_fields(self.controller)

    def test_forge_as_credit_manager(self):
        self._attack_computed_fields(self.credit_manager)

    def test_forge_as_administrator(self):
        self._attack_computed_fields(self._admin_here())

    def test_forge_hold_fields(self):
        # Lift the hold, or blank its reason, by writing the customer.
        for user in (self.salesperson, self.controller, self.credit_manager):
            for vals in ({"credit_hold": False}, {"credit_hold_reason": "paid"}, {"credit_hold_auto": True}):
                with self.subTest(user=user.login, vals=vals):
                    response = self.rpc(user, "res.partner", "write", self.held.ids, vals=vals)
                    self.assertRefused(response, "AccessError", CREDIT_ACTIONS_ONLY)
                    self.assertRecordValues(
                        self.held, [{"credit_hold": True, "credit_hold_reason": HOLD_REASON}]
                    )

    def test_forge_hold_on_a_contact(self):
        # A contact created under the held customer carrying credit_hold=False.
        response = self.rpc(
            self.salesperson,
            "res.partner",
            "create",
            vals_list=[
                {
                    "name": "伪造联系人",
                    "parent_id": self.held.id,
                    "credit_hold": False,
                    "credit_hold_reason": "x",
                }
            ],
        )
        self.assertRefused(response, "AccessError", CREDIT_ACTIONS_ONLY)

    def test_forge_through_create(self):
        # The same forged values, set on records being created.
        attempts = [
            (
                self.salesperson,
                "sale.order.line",
                {
                    "order_id": self.order.id,
                    "product_id": self.service.id,
                    "product_uom_qty": 5,
                    "price_unit": 100.0,
                    "qty_invoiced": 5,
                    "tax_ids": [],
                },
            ),
            (
                self.accountant,
                "account.move",
                {"move_type": "out_invoice", "partner_id": self.customer.id, "amount_total_signed": -5000.0},
            ),
        ]
        for user, model, vals in attempts:
            with self.subTest(model=model):
                count = self.env[model].search_count([])
                response = self.rpc(user, model, "create", vals_list=[vals])
                self.assertRefused(response, "AccessError", COMPUTED)
                self.assertEqual(self.env[model].search_count([]), count)

    def _over_limit_quotation(self):
        """Exposure 1,200 (900 + 300) already over the limit: a 100 quotation is refused."""
        quotation = self._draft(price=100.0)
        self.assertRefused(
            self.rpc(self.salesperson, "sale.order", "action_confirm", quotation.ids),
            "UserError",
            OVER_LIMIT,
        )
        return quotation

    def test_draft_refund_lowers_exposure(self):
        # HOLE: an accountant's draft credit note (never posted, deleted afterwards
        # without any check) counts against the exposure: a 5,000 draft refund lets
        # the salesperson confirm an order of a customer already over its limit.
        quotation = self._over_limit_quotation()
        response = self.rpc(
            self.accountant,
            "account.move",
            "create",
            vals_list=[
                {
                    "move_type": "out_refund",
                    "partner_id": self.customer.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "goodwill", "quantity": 1, "price_unit": 5000.0, "tax_ids": []}
                        )
                    ],
                }
            ],
        )
        self.assertPassed(response)
        self.assertRefused(
            self.rpc(self.salesperson, "sale.order", "action_confirm", quotation.ids), "UserError", OVER_LIMIT
        )
        self.assertEqual(quotation.state, "draft")

    def test_posted_receivable_rewritten_to_another_partner(self):
        # HOLE: an accountant rewrites the partner of the customer's posted receivable
        # line (allowed by Odoo outside hash-locked journals): the debt leaves the
        # customer's exposure without any payment.
        response = self.rpc(
            self.accountant,
            "account.move.line",
            "write",
            self.receivable.ids,
            vals={"partner_id": self.customer_b.id},
        )
        self.assertRefused(response, "AccessError", "cannot be moved to another partner")
        self.assertEqual(self.receivable.partner_id, self.customer)


@tagged("post_install", "-at_install")
class TestAttackBilling(CreditAttackCase):
    """3. A hold is on the customer whoever is billed."""

    def setUp(self):
        super().setUp()
        self._block()
        self.payer = self.env["res.partner"].create(
            {"name": "上海代付贸易有限公司", "is_company": True, "user_id": self.salesperson.id}
        )

    def test_held_customer_billed_to_another_company(self):
        # The order's customer is on hold, its invoice address is a clean company.
        order = self._draft(self.held, price=10.0)
        order.partner_invoice_id = self.payer
        for method, kwargs in (
            ("action_confirm", {}),
            ("write", {"vals": {"state": "sale"}}),
        ):
            with self.subTest(method=method):
                response = self.rpc(self.salesperson, "sale.order", method, order.ids, **kwargs)
                self.assertRefused(
                    response, "UserError", order.name, self.held.name, ON_HOLD, CONFIRM_REFUSED
                )
                self.assertEqual(order.state, "draft")
        # The batch confirmation reports it and leaves it unconfirmed.
        response = self.rpc(self.salesperson, "sale.order", "action_confirm_credit_checked", order.ids)
        result = self.assertPassed(response)
        self.assertIn(self.held.name, result["params"]["message"])
        self.assertEqual(order.state, "draft")

    def test_order_created_confirmed_for_held_customer(self):
        # The quotation step is skipped: the order is created directly in state sale
        # (refused while its lines are created, as a change of a confirmed order).
        count = self.env["sale.order"].search_count([("partner_id", "=", self.held.id)])
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "create",
            vals_list=[
                {
                    "partner_id": self.held.id,
                    "state": "sale",
                    "order_line": [
                        Command.create({"product_id": self.service.id, "price_unit": 10.0, "tax_ids": []})
                    ],
                }
            ],
        )
        self.assertRefused(response, "UserError", self.held.name, ON_HOLD)
        self.assertEqual(self.env["sale.order"].search_count([("partner_id", "=", self.held.id)]), count)

    def test_clean_customer_billed_to_held_company(self):
        # The other way round: the invoice address is on hold, set with the confirmation.
        order = self._draft(self.payer, price=10.0)
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            order.ids,
            vals={"state": "sale", "partner_invoice_id": self.held.id},
        )
        self.assertRefused(response, "UserError", self.held.name, ON_HOLD)
        self.assertRecordValues(order, [{"state": "draft", "partner_invoice_id": self.payer.id}])

    def test_limit_escaped_by_billing_another_company(self):
        # HOLE: an order is judged on its customer's limit, but once confirmed it counts
        # only in its invoice address's exposure: billing every order of ``customer``
        # (limit 1,000) to a company without a limit, each one fits under the limit
        # and the customer takes orders without end.
        for _i in range(2):
            order = self._draft(price=600.0)
            order.partner_invoice_id = self.payer
            response = self.rpc(self.salesperson, "sale.order", "action_confirm", order.ids)
        # The second 600 order of ``customer`` must be refused: 1,200 > 1,000.
        self.assertRefused(response, "UserError", self.customer.name, OVER_LIMIT)
        self.assertEqual(order.state, "draft")


@tagged("post_install", "-at_install")
class TestAttackRelease(CreditAttackCase):
    """4. A one-time release is one time.

    ``customer`` is on hold; its 100 quotation is released once by a credit
    controller through the wizard, over HTTP."""

    def setUp(self):
        super().setUp()
        self._block()
        self._hold(self.customer, HOLD_REASON)
        self.order = self._draft(price=100.0)
        action = self.assertPassed(
            self.rpc(self.controller, "sale.order", "action_credit_release_once", self.order.ids)
        )
        wizard_ids = self.assertPassed(
            self.rpc(
                self.controller,
                action["res_model"],
                "create",
                context=action["context"],
                vals_list=[{"reason": "Paid in cash at the counter"}],
            )
        )
        self.assertPassed(self.rpc(self.controller, action["res_model"], "action_apply", wizard_ids))
        self.assertTrue(self.order.credit_release_date)

    def _confirm(self):
        return self.rpc(self.salesperson, "sale.order", "action_confirm", self.order.ids)

    def test_only_credit_controllers_release(self):
        other = self._draft(price=100.0)
        for label, call in (
            (
                "button",
                lambda: self.rpc(self.salesperson, "sale.order", "action_credit_release_once", other.ids),
            ),
            (
                "wizard",
                lambda: self.rpc(
                    self.salesperson,
                    "customer.credit.action.wizard",
                    "create",
                    vals_list=[{"action": "release_order", "order_id": other.id, "reason": "trust me"}],
                ),
            ),
            (
                "field",
                lambda: self.rpc(
                    self.salesperson,
                    "sale.order",
                    "write",
                    other.ids,
                    vals={
                        "credit_release_date": fields.Datetime.to_string(fields.Datetime.now()),
                        "credit_release_amount": 1e9,
                    },
                ),
            ),
            (
                "customer",
                lambda: self.rpc(
                    self.salesperson,
                    "customer.credit.action.wizard",
                    "create",
                    vals_list=[
                        {"action": "release", "partner_ids": [Command.set(self.customer.ids)], "reason": "x"}
                    ],
                ),
            ),
        ):
            with self.subTest(label=label):
                self.assertRefused(call(), "AccessError")
                self.assertFalse(other.credit_release_date)
        self.assertTrue(self.customer.credit_hold)

    def test_released_order_confirms_once_then_no_more_lines(self):
        self.assertPassed(self._confirm())
        self.assertEqual(self.order.state, "sale")
        self.assertTrue(self.order.credit_release_used)
        # The attacker adds a line to the released, confirmed order.
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            self.order.ids,
            vals={
                "order_line": [
                    Command.create({"product_id": self.service.id, "price_unit": 10.0, "tax_ids": []})
                ]
            },
        )
        self.assertRefused(response, "UserError", self.order.name, ON_HOLD, RECHECK_REFUSED)
        self.assertEqual(len(self.order.order_line), 1)

    def test_released_order_lowered_then_raised_back(self):
        self.assertPassed(self._confirm())
        line = self.order.order_line
        self.assertPassed(
            self.rpc(self.salesperson, "sale.order.line", "write", line.ids, vals={"price_unit": 50.0})
        )
        response = self.rpc(
            self.salesperson, "sale.order.line", "write", line.ids, vals={"price_unit": 100.0}
        )
        self.assertRefused(response, "UserError", ON_HOLD, RECHECK_REFUSED)
        self.assertEqual(line.price_unit, 50.0)

    def test_cancel_reset_and_confirm_again(self):
        self.assertPassed(self._confirm())
        # The attacker cancels the released order, resets it to quotation, confirms again.
        self.assertPassed(
            self.rpc(
                self.salesperson,
                "sale.order",
                "action_cancel",
                self.order.ids,
                context={"disable_cancel_warning": True},
            )
        )
        self.assertPassed(self.rpc(self.salesperson, "sale.order", "action_draft", self.order.ids))
        self.assertRefused(self._confirm(), "UserError", self.order.name, ON_HOLD, CONFIRM_REFUSED)
        self.assertEqual(self.order.state, "draft")
        self.assertFalse(self.order.credit_release_date)

    def test_customer_changed_before_confirming(self):
        # The release is moved to another held customer, then back again.
        response = self.rpc(
            self.salesperson, "sale.order", "write", self.order.ids, vals={"partner_id": self.held.id}
        )
        self.assertPassed(response)
        self.assertFalse(self.order.credit_release_date)
        self.assertRefused(self._confirm(), "UserError", self.held.name, ON_HOLD)
        self.assertPassed(
            self.rpc(
                self.salesperson, "sale.order", "write", self.order.ids, vals={"partner_id": self.customer.id}
            )
        )
        self.assertRefused(self._confirm(), "UserError", self.customer.name, ON_HOLD)
        self.assertEqual(self.order.state, "draft")

    def test_invoice_address_changed_with_the_confirmation(self):
        # The release is used for another (held) invoice address, in the confirming write.
        response = self.rpc(
            self.salesperson,
            "sale.order",
            "write",
            self.order.ids,
            vals={"state": "sale", "partner_invoice_id": self.held.id},
        )
        self.assertRefused(response, "UserError", self.held.name, ON_HOLD)
        self.assertEqual(self.order.state, "draft")

    def test_amount_raised_before_confirming(self):
        # 100 released, 150 confirmed.
        self.assertPassed(
            self.rpc(
                self.salesperson,
                "sale.order.line",
                "write",
                self.order.order_line.ids,
                vals={"price_unit": 150.0},
            )
        )
        self.assertRefused(self._confirm(), "UserError", ON_HOLD)
        self.assertEqual(self.order.state, "draft")

    def test_release_does_not_cover_another_order_in_the_same_call(self):
        other = self._draft(price=10.0)
        response = self.rpc(self.salesperson, "sale.order", "action_confirm", (self.order | other).ids)
        self.assertRefused(response, "UserError", other.name, ON_HOLD)
        self.assertEqual((self.order | other).mapped("state"), ["draft", "draft"])


@tagged("post_install", "-at_install")
class TestAttackLimits(CreditAttackCase):
    """5. Limits move only through an approved application."""

    def setUp(self):
        super().setUp()
        self._block()

    def test_write_limit_directly(self):
        for user in (self.controller, self.credit_manager, self.accountant, self._admin_here()):
            for vals in ({"credit_limit": 1e6}, {"credit_limit": 0.0}):
                with self.subTest(user=user.login, vals=vals):
                    response = self.rpc(user, "res.partner", "write", self.customer.ids, vals=vals)
                    self.assertRefused(response, "AccessError", LIMIT_BY_APPLICATION)
                    self.assertEqual(self.customer.credit_limit, 1000.0)

    def test_limit_written_while_claiming_a_lax_company(self):
        # The credit manager also works in a company whose control is off and sends
        # it first in allowed_company_ids: the write passes, but only the lax
        # company's limit changes (the limit is company-dependent).
        lax = self.env["res.company"].create({"name": "无锡分公司", "customer_credit_control": "off"})
        self.credit_manager.company_ids = [Command.link(lax.id)]
        response = self.rpc(
            self.credit_manager,
            "res.partner",
            "write",
            self.customer.ids,
            context={"allowed_company_ids": [lax.id, self.company.id]},
            vals={"credit_limit": 1e6},
        )
        self.assertPassed(response)
        self.assertEqual(self.customer.with_company(self.company).credit_limit, 1000.0)
        self.assertEqual(self.customer.with_company(lax).credit_limit, 1e6)

    def test_limit_dropped_through_use_partner_credit_limit(self):
        # Odoo's "use partner credit limit" toggle resets the limit to the company
        # default (none) through its inverse.
        response = self.rpc(
            self.controller,
            "res.partner",
            "write",
            self.customer.ids,
            vals={"use_partner_credit_limit": False},
        )
        self.assertRefused(response, "AccessError", LIMIT_BY_APPLICATION)
        self.assertEqual(self.customer.credit_limit, 1000.0)

    def test_limit_set_on_a_new_customer(self):
        response = self.rpc(
            self.accountant,
            "res.partner",
            "create",
            vals_list=[{"name": "新开户有限公司", "is_company": True, "credit_limit": 1e6}],
        )
        self.assertRefused(response, "AccessError", LIMIT_BY_APPLICATION)

    def test_negative_limit(self):
        response = self.rpc(
            self.controller, "res.partner", "write", self.customer.ids, vals={"credit_limit": -500.0}
        )
        self.assertRefused(response, "ValidationError", "cannot be negative")
        self.assertEqual(self.customer.credit_limit, 1000.0)

    def test_negative_limit_on_creation_while_control_off(self):
        # HOLE: the negative-limit check is on write only: with the control off (where
        # accountants set limits), a customer is created with a negative limit.
        self.company.customer_credit_control = "off"
        response = self.rpc(
            self.accountant,
            "res.partner",
            "create",
            vals_list=[{"name": "负额度有限公司", "is_company": True, "credit_limit": -500.0}],
        )
        self.assertRefused(response, "ValidationError", "cannot be negative")

    def test_limit_validity_date(self):
        for user in (self.controller, self.accountant):
            with self.subTest(user=user.login):
                response = self.rpc(
                    user,
                    "res.partner",
                    "write",
                    self.customer.ids,
                    vals={"credit_limit_date_end": "2099-12-31"},
                )
                self.assertRefused(response, "AccessError", CREDIT_ACTIONS_ONLY)
                self.assertFalse(self.customer.credit_limit_date_end)

    def test_application_approved_by_its_requester(self):
        # The salesperson creates an application already approved, approves it, or
        # writes its state.
        response = self.rpc(
            self.salesperson,
            "customer.credit.application",
            "create",
            vals_list=[
                {
                    "partner_id": self.customer.id,
                    "requested_limit": 1e6,
                    "justification": "big client",
                    "state": "approved",
                }
            ],
        )
        self.assertRefused(response, "UserError", "start as drafts")
        application_ids = self.assertPassed(
            self.rpc(
                self.salesperson,
                "customer.credit.application",
                "create",
                vals_list=[
                    {"partner_id": self.customer.id, "requested_limit": 1e6, "justification": "big client"}
                ],
            )
        )
        self.assertPassed(
            self.rpc(self.salesperson, "customer.credit.application", "action_submit", application_ids)
        )
        self.assertRefused(
            self.rpc(self.salesperson, "customer.credit.application", "action_approve", application_ids),
            "AccessError",
            "Only credit controllers",
        )
        self.assertRefused(
            self.rpc(
                self.salesperson,
                "customer.credit.application",
                "write",
                application_ids,
                vals={"state": "approved"},
            ),
            "UserError",
            "with their buttons",
        )
        self.assertEqual(self.customer.credit_limit, 1000.0)

    def test_negative_requested_limit(self):
        response = self.rpc(
            self.salesperson,
            "customer.credit.application",
            "create",
            vals_list=[{"partner_id": self.customer.id, "requested_limit": -1.0, "justification": "x"}],
        )
        self.assertRefused(response, "ValidationError", "cannot be negative")


@tagged("post_install", "-at_install")
class TestAttackConcurrentGrowth(CommittedRaceMixin, TransactionCase):
    """7. Two concurrent changes, two real transactions.

    Two confirmed orders of the same customer (limit 1,000) owe 300 each; each
    grows by 250 at the same time (alone 850, fits; together 1,100, does not).
    At most one may pass. The data is committed by the test and cleaned up."""

    def _race_growth(self, grow_first, grow_second):
        """The outcome of the race (``CommittedRaceMixin._race``) and the
        orders' final totals."""
        product = {
            "name": "Concurrent attack service",
            "type": "service",
            "list_price": 300.0,
            "taxes_id": [],
        }
        with self._committed_orders("并发加单客户", product, 300.0, confirm=True) as (connection, order_ids):
            outcome = self._race(connection, order_ids, grow_first, grow_second)
            return outcome, self._committed_values(connection, order_ids, "amount_total")

    def test_two_line_raises_at_once(self):
        def grow(order):
            order.order_line.price_unit = 550.0

        outcome, totals = self._race_growth(grow, grow)
        self.assertEqual(outcome["last"], "refused")
        self.assertEqual(totals, [550.0, 300.0])

    def test_line_added_and_line_created_at_once(self):
        def add_through_order(order):
            order.write(
                {
                    "order_line": [
                        Command.create(
                            {"product_id": order.order_line.product_id.id, "price_unit": 250.0, "tax_ids": []}
                        )
                    ]
                }
            )

        def create_line(order):
            order.env["sale.order.line"].create(
                {
                    "order_id": order.id,
                    "product_id": order.order_line.product_id.id,
                    "price_unit": 250.0,
                    "tax_ids": [],
                }
            )

        outcome, totals = self._race_growth(add_through_order, create_line)
        self.assertEqual(outcome["last"], "refused")
        self.assertEqual(totals, [550.0, 300.0])
