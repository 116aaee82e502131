from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import tagged

from odoo.addons.customer_mgmt.tests.common import CustomerMgmtCase


@tagged("post_install", "-at_install")
class TestDeliveryHold(CustomerMgmtCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.controller = cls._new_user("cm_credit_stock", "customer_mgmt.group_credit_controller")
        cls.goods = cls.env["product.product"].create(
            {"name": "Boxed tablets", "type": "consu", "is_storable": True}
        )
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.env.company.id)], limit=1)
        cls.env["stock.quant"]._update_available_quantity(cls.goods, warehouse.lot_stock_id, 10)

    def _delivery(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.goods.id, "product_uom_qty": 2, "tax_ids": []})
                ],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.move_ids.quantity = 2
        return order, picking

    def test_held_customer_delivery_blocked_only_when_checkpoint_on(self):
        self.env.company.customer_credit_control = "block"
        _order, picking = self._delivery()
        self.customer.with_user(self.controller)._credit_hold("Cheque bounced")
        picking.button_validate()  # the delivery checkpoint is off by default
        self.assertEqual(picking.state, "done")

        self.customer.with_user(self.controller)._credit_release("Paid")
        _order, picking = self._delivery()
        self.customer.with_user(self.controller)._credit_hold("Cheque bounced")
        self.env.company.customer_credit_check_delivery = True
        with self.assertRaisesRegex(UserError, "Cheque bounced"):
            picking.button_validate()
        self.assertNotEqual(picking.state, "done")

    def test_invoiced_customer_decides(self):
        """Goods shipped to another company's address are held on the credit
        of the customer the order is invoiced to."""
        self.env.company.write({"customer_credit_control": "block", "customer_credit_check_delivery": True})
        order, picking = self._delivery()
        order.partner_shipping_id = picking.partner_id = self.customer_b
        self.customer.with_user(self.controller)._credit_hold("Cheque bounced")
        with self.assertRaisesRegex(UserError, "Cheque bounced"):
            picking.button_validate()

    def test_order_released_once_delivers(self):
        self.env.company.write({"customer_credit_control": "block", "customer_credit_check_delivery": True})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.goods.id, "product_uom_qty": 2, "tax_ids": []})
                ],
            }
        )
        self.customer.with_user(self.controller)._credit_hold("Cheque bounced")
        order.with_user(self.controller)._credit_release_once("Cash received")
        order.action_confirm()
        order.picking_ids.move_ids.quantity = 2
        order.picking_ids.button_validate()
        self.assertEqual(order.picking_ids.state, "done")

    def test_off_mode_delivers(self):
        _order, picking = self._delivery()
        self.customer.sudo().credit_hold = True
        self.env.company.customer_credit_check_delivery = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
