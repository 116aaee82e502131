from odoo import api, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["customer.credit.exposure"]._check_computed_inputs(self, vals)
        return super().create(vals_list)

    def write(self, vals):
        self.env["customer.credit.exposure"]._check_computed_inputs(self, vals)
        return super().write(vals)
