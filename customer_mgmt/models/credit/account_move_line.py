from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import format_list


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "customer.credit.computed.inputs"]

    def write(self, vals):
        if "partner_id" in vals and not self.env.su:
            self._check_open_receivable_partner()
        return super().write(vals)

    def _check_open_receivable_partner(self):
        """Where credit control blocks, a customer's open receivable stays
        the customer's: moving it to another partner would clear its exposure
        (a credit note and a new invoice move it in the open)."""
        moved = self.filtered(
            lambda line: (
                line.parent_state == "posted"
                and line.account_id.account_type == "asset_receivable"
                and not line.company_currency_id.is_zero(line.amount_residual)
                and line.company_id.customer_credit_control == "block"
            )
        )
        if moved:
            raise AccessError(
                self.env._(
                    "The open receivables of %(customers)s (%(entries)s) cannot be moved to another partner "
                    "while credit control is on.",
                    customers=format_list(self.env, moved.partner_id.mapped("display_name")),
                    entries=format_list(self.env, moved.move_id.mapped("display_name")),
                )
            )
