from odoo import api, models


class ResPartnerBank(models.Model):
    """A customer's bank accounts are part of the customer: a salesperson
    changes those of their own or unassigned customers only."""

    _inherit = "res.partner.bank"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            partners = self.env["res.partner"].browse(
                {vals.get("partner_id") for vals in vals_list} - {None, False}
            )
            partners._check_customer_owner()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            (self.partner_id | self.env["res.partner"].browse(vals.get("partner_id")))._check_customer_owner()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_foreign_customer(self):
        if not self.env.su:
            self.partner_id._check_customer_owner()
