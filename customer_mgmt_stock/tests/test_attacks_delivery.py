"""Hostile users against the delivery checkpoint, over real HTTP (JSON-2).

A stock user (``stock.group_stock_user`` only) tries to ship goods to a
customer on credit hold; see ``customer_mgmt/tests/test_attacks_credit.py``
for how the calls are made and asserted."""

from odoo.fields import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.customer_mgmt.tests.common import CustomerMgmtCase
from odoo.addons.customer_mgmt.tests.test_attacks_credit import HOLD_REASON, RpcAttackMixin

DELIVERY_REFUSED = (
    "A delivery to a customer on credit hold cannot be validated until a credit controller releases the "
    "customer or the order."
)


@tagged("post_install", "-at_install")
class TestAttackDelivery(RpcAttackMixin, CustomerMgmtCase, HttpCase):
    """4. (cont.) A one-time release is one time, at the delivery checkpoint.

    ``customer`` is on credit hold; its order of 2 boxes was released once
    by a credit controller and confirmed. ``other_held`` is another customer
    on hold. The company blocks at delivery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.controller = cls._new_user("atk_credit_stock", "customer_mgmt.group_credit_controller")
        cls.stock_user = cls._new_user("atk_stock", "stock.group_stock_user")
        cls.goods = cls.env["product.product"].create(
            {"name": "Boxed tablets (attacks)", "type": "consu", "is_storable": True, "list_price": 50.0}
        )
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.env["stock.quant"]._update_available_quantity(cls.goods, cls.warehouse.lot_stock_id, 500)
        cls.other_held = cls.env["res.partner"].create({"name": "温州拖欠贸易有限公司", "is_company": True})
        cls.clean = cls.env["res.partner"].create({"name": "合肥守信医药有限公司", "is_company": True})

    def setUp(self):
        super().setUp()
        self.env.company.write({"customer_credit_control": "block", "customer_credit_check_delivery": True})
        (self.customer | self.other_held).with_user(self.controller)._credit_hold(HOLD_REASON)
        self.released = self._order()
        self.released.with_user(self.controller)._credit_release_once("Paid in cash")
        self.released.with_user(self.salesperson).action_confirm()
        self.assertEqual(self.released.state, "sale")

    def _order(self, partner=None, qty=2.0):
        return (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "order_line": [
                        Command.create({"product_id": self.goods.id, "product_uom_qty": qty, "tax_ids": []})
                    ],
                }
            )
            .with_user(self.env.user)
        )

    def _validate(self, picking, quantity=None):
        """As the stock user: set the quantities (the demand unless
        ``quantity``) and validate ``picking``; the validation's response."""
        for move in picking.move_ids:
            self.assertPassed(
                self.rpc(
                    self.stock_user,
                    "stock.move",
                    "write",
                    move.ids,
                    vals={"quantity": quantity or move.product_uom_qty, "picked": True},
                )
            )
        return self.rpc(self.stock_user, "stock.picking", "button_validate", picking.ids)

    def _new_picking(self, partner, order, qty):
        """A delivery made by hand by the stock user for ``partner``, claiming ``order``."""
        out_type = self.warehouse.out_type_id
        customers = self.env.ref("stock.stock_location_customers")
        picking_ids = self.assertPassed(
            self.rpc(
                self.stock_user,
                "stock.picking",
                "create",
                vals_list=[
                    {
                        "picking_type_id": out_type.id,
                        "partner_id": partner.id,
                        "location_id": self.warehouse.lot_stock_id.id,
                        "location_dest_id": customers.id,
                        "sale_id": order.id,
                        "move_ids": [
                            Command.create(
                                {
                                    "product_id": self.goods.id,
                                    "product_uom_qty": qty,
                                    "location_id": self.warehouse.lot_stock_id.id,
                                    "location_dest_id": customers.id,
                                }
                            )
                        ],
                    }
                ],
            )
        )
        picking = self.env["stock.picking"].browse(picking_ids)
        self.assertPassed(self.rpc(self.stock_user, "stock.picking", "action_confirm", picking.ids))
        return picking

    def _held_delivery(self):
        """An order confirmed while its customer was in good standing, whose
        customer is then held again: its unreleased delivery."""
        (self.customer | self.other_held).with_user(self.controller)._credit_release("Paid")
        order = self._order()
        order.with_user(self.salesperson).action_confirm()
        self.customer.with_user(self.controller)._credit_hold(HOLD_REASON)
        return order.picking_ids

    def assertNotDelivered(self, picking):
        self.assertNotEqual(picking.state, "done")
        self.assertFalse(picking.move_ids.filtered(lambda move: move.state == "done"))

    def test_released_order_delivers(self):
        # Not an attack: the released order's own delivery goes.
        picking = self.released.picking_ids
        self.assertPassed(self._validate(picking))
        self.assertEqual(picking.state, "done")

    def test_held_customer_unreleased_delivery(self):
        # An order confirmed before the hold: its delivery waits.
        picking = self._held_delivery()
        self.assertRefused(
            self._validate(picking), "UserError", DELIVERY_REFUSED, self.customer.name, HOLD_REASON
        )
        self.assertNotDelivered(picking)

    def test_other_held_customer_borrows_the_released_order(self):
        # A delivery to another held customer claims the released order (sale_id).
        picking = self._new_picking(self.other_held, self.released, 2.0)
        self.assertEqual(picking.sale_id, self.released)
        self.assertRefused(
            self._validate(picking), "UserError", DELIVERY_REFUSED, self.other_held.name, HOLD_REASON
        )
        self.assertNotDelivered(picking)

    def test_other_held_customer_takes_over_the_released_delivery(self):
        # The released order's own delivery is re-addressed to another held customer.
        picking = self.released.picking_ids
        self.assertPassed(
            self.rpc(
                self.stock_user,
                "stock.picking",
                "write",
                picking.ids,
                vals={"partner_id": self.other_held.id},
            )
        )
        self.assertRefused(
            self._validate(picking), "UserError", DELIVERY_REFUSED, self.other_held.name, HOLD_REASON
        )
        self.assertNotDelivered(picking)

    def test_held_delivery_readdressed_to_a_clean_customer(self):
        # An unreleased delivery of the held customer, re-addressed to a clean company.
        picking = self._held_delivery()
        self.assertPassed(
            self.rpc(
                self.stock_user, "stock.picking", "write", picking.ids, vals={"partner_id": self.clean.id}
            )
        )
        self.assertRefused(self._validate(picking), "UserError", DELIVERY_REFUSED, self.customer.name)
        self.assertNotDelivered(picking)

    def test_held_delivery_detached_from_its_order(self):
        # HOLE: the checkpoint judges the picking's current partner and order, both
        # writable by a stock user: detached from its order (sale_id emptied) and
        # re-addressed to a clean company, the held customer's goods leave.
        picking = self._held_delivery()
        order = picking.sale_id
        self.assertRefused(
            self.rpc(
                self.stock_user,
                "stock.picking",
                "write",
                picking.ids,
                vals={"sale_id": False, "partner_id": self.clean.id},
            ),
            "AccessError",
            "stay with the orders they come from",
        )
        self.assertEqual(picking.sale_id, order)
        self.assertRefused(self._validate(picking), "UserError", DELIVERY_REFUSED, self.customer.name)
        self.assertNotDelivered(picking)

    def test_released_delivery_overshipped(self):
        # HOLE: the release covers the order's amount (2 boxes), but its delivery is
        # judged on the order alone: the stock user ships 50 boxes on it.
        picking = self.released.picking_ids
        self.assertRefused(
            self._validate(picking, quantity=50.0), "UserError", DELIVERY_REFUSED, self.customer.name
        )
        self.assertNotDelivered(picking)

    def test_extra_delivery_claims_the_released_order(self):
        # HOLE: a second, hand-made delivery of 50 boxes to the held customer claims
        # the released order (sale_id) and goes out under its one-time release.
        picking = self._new_picking(self.customer, self.released, 50.0)
        self.assertEqual(picking.sale_id, self.released)
        self.assertRefused(self._validate(picking), "UserError", DELIVERY_REFUSED, self.customer.name)
        self.assertNotDelivered(picking)
