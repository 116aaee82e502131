from odoo import models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    # Draft customer invoices count in the credit exposure; there are few of
    # them, so the credit check reads them through this small index.
    _customer_mgmt_draft_invoice_idx = models.Index(
        "(partner_id) WHERE state = 'draft' AND move_type IN ('out_invoice', 'out_refund')"
    )

    def _post(self, soft=True):
        checked = self.filtered(
            lambda move: (
                move.move_type == "out_invoice"
                and move.company_id.customer_credit_control == "block"
                and move.company_id.customer_credit_check_invoice
            )
        )
        held = checked.filtered(lambda move: move.commercial_partner_id.credit_hold)
        if held:
            raise UserError(
                "\n".join(
                    self.env._(
                        "%(invoice)s: %(customer)s is on credit hold (%(reason)s); the invoice cannot be "
                        "posted until a credit controller releases the customer.",
                        invoice=move.display_name,
                        customer=move.commercial_partner_id.display_name,
                        reason=move.commercial_partner_id.credit_hold_reason,
                    )
                    for move in held
                )
            )
        return super()._post(soft=soft)
