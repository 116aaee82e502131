import threading
from contextlib import contextmanager

from psycopg2.errors import SerializationFailure

from odoo import api
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CustomerMgmtUsers:
    """The module's roles as users of the current company, and two customers
    of two salespeople."""

    @classmethod
    def _setup_users_and_customers(cls):
        cls.salesperson = cls._new_user("cm_sales_a", "customer_mgmt.group_customer_user")
        cls.salesperson_b = cls._new_user("cm_sales_b", "customer_mgmt.group_customer_user")
        cls.manager = cls._new_user("cm_manager", "customer_mgmt.group_customer_manager")
        cls.custodian = cls._new_user(
            "cm_custodian", "customer_mgmt.group_card_custodian,base.group_allow_export"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "杭州华东医药批发有限公司", "is_company": True, "user_id": cls.salesperson.id}
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "广州广药医药有限公司", "is_company": True, "user_id": cls.salesperson_b.id}
        )

    @classmethod
    def _new_user(cls, login, groups, **values):
        """A user of the test company with the given groups only."""
        company = cls.env.company
        return new_test_user(
            cls.env,
            login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
            **values,
        )


class CustomerMgmtBaseCase(CustomerMgmtUsers, TransactionCase):
    """For what needs no accounting: cards, confidential data, rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_users_and_customers()


class CustomerMgmtCase(CustomerMgmtUsers, AccountTestInvoicingCommon):
    """Company with a chart of accounts, the module's roles as users, and
    helpers that create posted invoices and confirmed orders."""

    @classmethod
    def get_default_groups(cls):
        return (
            super().get_default_groups()
            | cls.quick_ref("customer_mgmt.group_customer_manager")
            | cls.quick_ref("sales_team.group_sale_manager")
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_users_and_customers()

    @classmethod
    def _post_move(
        cls, partner, date, amount=1000.0, move_type="out_invoice", currency=None, product=None, post=True
    ):
        """Posted (or, without ``post``, draft) invoice or other move type of
        ``amount``, due on ``date``."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": date,
                "invoice_date_due": date,
                "date": date,
                "currency_id": (currency or cls.env.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": (product or cls.product_a).id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _confirm_order(cls, partner, date=None):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": cls.product_a.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        if date:
            order.date_order = date
        return order


class CreditCase(CustomerMgmtCase):
    """A credit controller, a credit manager, an accountant; the first customer has a limit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.controller = cls._new_user("cm_credit", "customer_mgmt.group_credit_controller")
        cls.credit_manager = cls._new_user("cm_credit_mgr", "customer_mgmt.group_credit_manager")
        cls.accountant = cls._new_user(
            "cm_accountant", "account.group_account_invoice,base.group_partner_manager"
        )
        cls.customer.sudo().with_company(cls.company).credit_limit = 1000.0

    def _block(self, **values):
        self.company.write({"customer_credit_control": "block", **values})

    def _order(self, amount, partner=None, currency=None, user=None):
        pricelist = currency and self.env["product.pricelist"].create(
            {"name": currency.name, "currency_id": currency.id}
        )
        return (
            self.env["sale.order"]
            .with_user(user or self.env.user)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    **({"pricelist_id": pricelist.id} if pricelist else {}),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )

    def _last_tracking_subtype(self, document):
        """The subtype of the last tracked change of a credit document (its
        state's, see ``customer.credit.workflow.mixin``)."""
        self.env.flush_all()
        self.env.cr.flush()  # post the pending tracking messages, as the commit would
        messages = self.env["mail.message"].search(
            [("model", "=", document._name), ("res_id", "=", document.id)], order="id desc"
        )
        return messages.sudo().filtered("tracking_value_ids")[:1].subtype_id

    def _hold(self, partner=None, reason="Unpaid since March"):
        (partner or self.customer).with_user(self.controller)._credit_hold(reason)


class CommittedRaceMixin:
    """Races between two real transactions, which the test's own transaction
    cannot show: two orders of one customer with a limit of 1,000, committed
    by the test through its own database connection, then changed at the
    same time. Everything committed is cancelled or archived afterwards."""

    def _committed_env(self, cr):
        cr.execute("SET lock_timeout = '30s'")
        return api.Environment(cr, self.env.ref("base.user_admin").id, {})

    @contextmanager
    def _committed_orders(self, customer_name, product_vals, price, confirm=False):
        """Block mode in the administrator's company, the customer and two
        orders of one product at ``price`` (confirmed with ``confirm``),
        committed: yields (connection, order ids)."""
        connection = db_connect(self.env.cr.dbname)
        with connection.cursor() as cr:
            env = self._committed_env(cr)
            company = env.user.company_id
            saved = company.customer_credit_control
            company.sudo().customer_credit_control = "block"
            partner = env["res.partner"].create({"name": customer_name, "is_company": True})
            partner.sudo().credit_limit = 1000.0
            product = env["product.product"].create(product_vals)
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            Command.create({"product_id": product.id, "price_unit": price, "tax_ids": []})
                        ],
                    }
                    for _i in range(2)
                ]
            )
            if confirm:
                orders.action_confirm()
            cr.commit()  # pylint: disable=invalid-commit
        try:
            yield connection, orders.ids
        finally:
            with connection.cursor() as cr:
                env = self._committed_env(cr)
                env["sale.order"].browse(orders.ids).sudo().with_context(
                    disable_cancel_warning=True
                )._action_cancel()
                # archived, not deleted: stock moves (with Inventory) keep pointing at them
                env["res.partner"].browse(partner.id).sudo().active = False
                env["product.product"].browse(product.id).sudo().product_tmpl_id.active = False
                env["res.company"].browse(company.id).sudo().customer_credit_control = saved
                cr.commit()  # pylint: disable=invalid-commit

    def _race(self, connection, order_ids, change_first, change_second):
        """``change_first(order)`` on the first order and ``change_second(order)``
        on the second, each in its own transaction, the second starting before
        the first commits; after a serialization failure the second is tried
        once more, as Odoo retries it. Returns ``{'waited': whether the second
        waited for the first, 'second': its outcome, 'retry': the retry's,
        'last': the last outcome, 'message': the last refusal}``, outcomes
        being 'done', 'refused' or 'serialization failure'."""
        first_id, second_id = order_ids
        outcome = {}
        started = threading.Event()

        def run_second():
            with connection.cursor() as cr:
                order = self._committed_env(cr)["sale.order"].browse(second_id)
                order.read(["amount_total"])  # its snapshot predates the first's commit
                started.set()
                outcome["second"], outcome["message"] = self._attempt(cr, change_second, order)

        with connection.cursor() as cr_first:
            change_first(self._committed_env(cr_first)["sale.order"].browse(first_id))
            thread = threading.Thread(target=run_second)
            thread.start()
            started.wait(30)
            thread.join(2)
            outcome["waited"] = thread.is_alive()  # on the first one's lock
            cr_first.commit()  # pylint: disable=invalid-commit
        thread.join(60)
        self.assertFalse(thread.is_alive())
        outcome["last"] = outcome["second"]
        if outcome["second"] == "serialization failure":
            with connection.cursor() as cr:
                order = self._committed_env(cr)["sale.order"].browse(second_id)
                outcome["retry"], outcome["message"] = self._attempt(cr, change_second, order)
                outcome["last"] = outcome["retry"]
        return outcome

    def _attempt(self, cr, change, order):
        """``change(order)`` committed: its outcome and the refusal's message."""
        try:
            change(order)
            cr.commit()  # pylint: disable=invalid-commit
            return "done", ""
        except SerializationFailure:
            cr.rollback()
            return "serialization failure", ""
        except UserError as error:
            cr.rollback()
            return "refused", error.args[0]

    def _committed_values(self, connection, order_ids, fname):
        """``fname`` of the orders as committed."""
        with connection.cursor() as cr:
            return self._committed_env(cr)["sale.order"].browse(order_ids).mapped(fname)
