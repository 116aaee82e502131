from odoo import fields, models


class CustomerCardReview(models.Model):
    """A manager's review of a customer card (主管善用资料卡)."""

    _name = "customer.card.review"
    _description = "Customer Card Review"
    _order = "review_date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True, index=True)
    salesperson_id = fields.Many2one(
        "res.users", help="Salesperson responsible for the card when it was reviewed."
    )
    reviewer_id = fields.Many2one("res.users", required=True, default=lambda self: self.env.user)
    review_date = fields.Date(required=True, default=fields.Date.context_today, index=True)
    completeness = fields.Float(string="Completeness (%)", digits=(5, 1), aggregator="avg")
    remarks = fields.Text(required=True)
