from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import float_compare, format_list


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        if "sale_id" in vals and not self.env.su:
            self._check_order_kept(vals["sale_id"])
        return super().write(vals)

    def _check_order_kept(self, order_id):
        """Where deliveries are judged, a delivery stays with the order it
        comes from: detached, it would leave with another customer's credit."""
        moved = self.filtered(
            lambda picking: (
                picking.sale_id
                and picking.sale_id.id != order_id
                and picking.company_id.customer_credit_control == "block"
                and picking.company_id.customer_credit_check_delivery
            )
        )
        if moved and not self.env.company._is_credit_controller():
            raise AccessError(
                self.env._(
                    "%(deliveries)s stay with the orders they come from while deliveries are checked for "
                    "credit: ask a credit controller.",
                    deliveries=format_list(self.env, moved.mapped("name")),
                )
            )

    def _action_done(self):
        self._credit_check_delivery()
        return super()._action_done()

    def _credit_orders(self):
        """The orders the delivery comes from: its order, and those of the
        order lines its moves deliver (a picking detached from its order
        still delivers that order's goods). Read whoever validates: a stock
        user gets the delivery's refusal, not an error about the order."""
        return self.sudo().sale_id | self.sudo().move_ids.sale_line_id.order_id

    def _credit_customers(self):
        """Whose credit the delivery is on: the customer delivered to and the
        customers of the orders it comes from."""
        return self.partner_id.commercial_partner_id | self._credit_orders()._credit_customers()

    def _credit_released(self):
        """Delivered under the one-time release of its order: the release is
        for the customers of that one order (a picking cannot borrow another
        customer's order), for no more than the released amount, and for the
        goods ordered only (every move delivers a line of the order, no more
        than is left to deliver)."""
        order = self._credit_orders()
        if len(order) != 1 or not order.credit_release_date:
            return False
        currency = order.company_id.currency_id
        return (
            self._credit_customers() == order.credit_release_partner_id | order._credit_customers()
            and currency.compare_amounts(order._credit_amount(), order.credit_release_amount) <= 0
            and all(
                move.sale_line_id.order_id == order
                and float_compare(
                    move.product_uom._compute_quantity(move.quantity, move.sale_line_id.product_uom_id),
                    move.sale_line_id.product_uom_qty - move.sale_line_id.qty_delivered,
                    precision_rounding=move.sale_line_id.product_uom_id.rounding,
                )
                <= 0
                for move in self.sudo().move_ids
            )
        )

    def _credit_check_delivery(self):
        """The delivery checkpoint: deliveries for a customer on credit hold
        wait for a credit controller, unless the order they come from was
        released once."""
        checked = self.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing"
                and picking.company_id.customer_credit_control == "block"
                and picking.company_id.customer_credit_check_delivery
                and not picking._credit_released()
            )
        )
        self.env["customer.credit.exposure"]._check_holds(
            checked,
            lambda picking: picking._credit_customers(),
            self.env._(
                "A delivery to a customer on credit hold cannot be validated until a credit controller "
                "releases the customer or the order."
            ),
        )
