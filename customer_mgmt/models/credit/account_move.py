from odoo import models


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "customer.credit.computed.inputs"]

    def _post(self, soft=True):
        """The invoice checkpoint: where the company's credit control blocks
        with "Check at Invoice Posting", invoices of held customers wait."""
        checked = self.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.company_id.customer_credit_control == "block"
                and move.company_id.customer_credit_check_invoice
            )
        )
        self.env["customer.credit.exposure"]._check_holds(
            checked,
            lambda move: move.commercial_partner_id,
            self.env._(
                "An invoice of a customer on credit hold cannot be posted until a credit controller "
                "releases the customer."
            ),
        )
        return super()._post(soft=soft)
