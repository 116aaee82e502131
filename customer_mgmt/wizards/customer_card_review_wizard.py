from odoo import fields, models


class CustomerCardReviewWizard(models.TransientModel):
    _name = "customer.card.review.wizard"
    _description = "Review Customer Cards"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    remarks = fields.Text(required=True)

    def action_review(self):
        self.ensure_one()
        self.partner_ids._do_card_review(self.remarks)
        return {"type": "ir.actions.act_window_close"}
