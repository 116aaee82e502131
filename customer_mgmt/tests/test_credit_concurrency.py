import threading

from psycopg2.errors import SerializationFailure

from odoo import api
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCreditConcurrency(TransactionCase):
    """Two real database connections confirm orders of the same customer at
    the same time: only one may pass when only one fits under the limit."""

    def _env(self, cr):
        cr.execute("SET lock_timeout = '20s'")
        return api.Environment(cr, self.env.ref("base.user_admin").id, {})

    def test_two_confirmations_do_not_both_pass(self):
        connection = db_connect(self.env.cr.dbname)
        with connection.cursor() as cr:
            env = self._env(cr)
            company = env.user.company_id
            saved = company.customer_credit_control
            company.sudo().customer_credit_control = "block"
            partner = env["res.partner"].create({"name": "并发测试客户", "is_company": True})
            partner.sudo().credit_limit = 1000.0
            product = env["product.product"].create(
                {"name": "Credit concurrency product", "list_price": 600.0}
            )
            orders = env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "order_line": [
                            Command.create({"product_id": product.id, "price_unit": 600.0, "tax_ids": []})
                        ],
                    }
                    for _i in range(2)
                ]
            )
            ids = {
                "company": company.id,
                "saved": saved,
                "partner": partner.id,
                "product": product.id,
                "orders": orders.ids,
            }
            cr.commit()  # pylint: disable=invalid-commit
        try:
            self._race(connection, ids)
        finally:
            with connection.cursor() as cr:
                env = self._env(cr)
                env["sale.order"].browse(ids["orders"]).sudo().with_context(
                    disable_cancel_warning=True
                )._action_cancel()
                # archived, not deleted: stock moves (with Inventory) keep pointing at them
                env["res.partner"].browse(ids["partner"]).sudo().active = False
                env["product.product"].browse(ids["product"]).sudo().product_tmpl_id.active = False
                env["res.company"].browse(ids["company"]).sudo().customer_credit_control = ids["saved"]
                cr.commit()  # pylint: disable=invalid-commit

    def _race(self, connection, ids):
        first_id, second_id = ids["orders"]
        outcome = {}

        def confirm_second():
            with connection.cursor() as cr:
                order = self._env(cr)["sale.order"].browse(second_id)
                order.read(["amount_total"])  # starts the snapshot before the first one commits
                started.set()
                try:
                    order.action_confirm()
                    cr.commit()  # pylint: disable=invalid-commit
                    outcome["second"] = "confirmed"
                except SerializationFailure:
                    cr.rollback()
                    outcome["second"] = "serialization failure"

        started = threading.Event()
        with connection.cursor() as cr_a:
            self._env(cr_a)["sale.order"].browse(first_id).action_confirm()
            thread = threading.Thread(target=confirm_second)
            thread.start()
            started.wait(10)
            thread.join(1)  # the second is now waiting for the first's lock
            self.assertTrue(thread.is_alive(), "the second confirmation must wait for the first")
            cr_a.commit()  # pylint: disable=invalid-commit
        thread.join(30)
        self.assertEqual(outcome.get("second"), "serialization failure")
        # Odoo retries a serialization failure; the retry sees the first order and refuses.
        with connection.cursor() as cr:
            with self.assertRaisesRegex(UserError, "并发测试客户"):
                self._env(cr)["sale.order"].browse(second_id).action_confirm()
            cr.rollback()
            states = self._env(cr)["sale.order"].browse(ids["orders"]).mapped("state")
        self.assertEqual(states, ["sale", "draft"])
