from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        self._credit_check_delivery()
        return super()._action_done()

    def _credit_customers(self):
        """Whose credit the delivery is on: the customer delivered to and the
        customers of its order (read whoever validates: a stock user gets the
        delivery's refusal, not an error about the order)."""
        return self.partner_id.commercial_partner_id | self.sudo().sale_id._credit_customers()

    def _credit_released(self):
        """Delivered under the one-time release of its order: the release is
        for these customers only (a picking cannot borrow another customer's
        order) and for no more than the released amount."""
        order = self.sudo().sale_id
        return bool(
            order.credit_release_date
            and self._credit_customers() == order.credit_release_partner_id | order._credit_customers()
            and order.company_id.currency_id.compare_amounts(
                order._credit_amount(), order.credit_release_amount
            )
            <= 0
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
