from odoo import fields, models


class CustomerCreditActionWizard(models.TransientModel):
    _name = "customer.credit.action.wizard"
    _description = "Credit Hold / Release"

    action = fields.Selection(
        [("hold", "Hold"), ("release", "Release"), ("release_order", "One-time order release")],
        required=True,
        readonly=True,
    )
    partner_ids = fields.Many2many("res.partner", string="Customers", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    reason = fields.Char(required=True)

    def action_apply(self):
        self.ensure_one()
        if self.action == "hold":
            self.partner_ids._credit_hold(self.reason)
        elif self.action == "release":
            self.partner_ids._credit_release(self.reason)
        else:
            self.order_id._credit_release_once(self.reason)
        return {"type": "ir.actions.act_window_close"}
