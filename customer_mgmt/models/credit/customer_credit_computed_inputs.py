from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import format_list

# Stored computed fields the exposure reads (or the check judges by): written
# only by Odoo's computations, never over RPC, whoever calls (see
# CustomerCreditComputedInputs).
COMPUTED_INPUTS = {
    "res.partner": frozenset({"commercial_partner_id"}),
    "sale.order": frozenset(
        {"currency_rate", "invoice_status", "amount_untaxed", "amount_tax", "amount_total"}
    ),
    "sale.order.line": frozenset({"qty_invoiced", "price_subtotal", "price_tax", "price_total"}),
    "account.move": frozenset(
        {"commercial_partner_id", "amount_total_signed", "amount_residual", "amount_residual_signed"}
    ),
    "account.move.line": frozenset({"amount_residual", "amount_residual_currency", "parent_state"}),
}


class CustomerCreditComputedInputs(models.AbstractModel):
    """Mixed into every model the credit exposure reads: a forged value of
    one of its stored computed fields (COMPUTED_INPUTS) would let an order or
    a customer through, so no write sets them but Odoo's own computations."""

    _name = "customer.credit.computed.inputs"
    _description = "Credit Exposure Inputs"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_computed_inputs(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_computed_inputs(vals)
        return super().write(vals)

    def _check_computed_inputs(self, vals):
        forged = COMPUTED_INPUTS.get(self._name, frozenset()).intersection(vals)
        if forged and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of %(model)s are computed by Odoo and cannot be written: the credit control "
                    "relies on them.",
                    fields=format_list(self.env, sorted(forged)),
                    model=self._description,
                )
            )
