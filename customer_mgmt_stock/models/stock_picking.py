from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        self._credit_check_delivery()
        return super()._action_done()

    def _credit_customer(self):
        """Whose credit the delivery is on: the invoiced customer of its order,
        else the customer delivered to."""
        return (self.sale_id.partner_invoice_id or self.partner_id).commercial_partner_id

    def _credit_check_delivery(self):
        """The delivery checkpoint: deliveries for a customer on credit hold
        wait for a credit controller, unless the order they come from was
        released once."""
        checked = self.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing"
                and picking.company_id.customer_credit_control == "block"
                and picking.company_id.customer_credit_check_delivery
                and not picking.sale_id.credit_release_date
            )
        )
        self.env["customer.credit.exposure"]._check_holds(
            checked,
            lambda picking: picking._credit_customer(),
            self.env._(
                "A delivery to a customer on credit hold cannot be validated until a credit controller "
                "releases the customer or the order."
            ),
        )
