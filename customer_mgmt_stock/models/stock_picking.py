from odoo import models
from odoo.exceptions import UserError


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        self._credit_check_delivery()
        return super()._action_done()

    def _credit_check_delivery(self):
        """Deliveries to a customer on credit hold wait for a credit controller,
        unless the order they come from was released once."""
        held = self.filtered(
            lambda picking: (
                picking.picking_type_code == "outgoing"
                and picking.company_id.customer_credit_control == "block"
                and picking.company_id.customer_credit_check_delivery
                and picking.partner_id.commercial_partner_id.credit_hold
                and not picking.sale_id.credit_release_date
            )
        )
        if held:
            raise UserError(
                "\n".join(
                    self.env._(
                        "%(picking)s: %(customer)s is on credit hold (%(reason)s); the delivery cannot be "
                        "validated until a credit controller releases the customer or the order.",
                        picking=picking.name,
                        customer=picking.partner_id.commercial_partner_id.display_name,
                        reason=picking.partner_id.commercial_partner_id.credit_hold_reason,
                    )
                    for picking in held
                )
            )
