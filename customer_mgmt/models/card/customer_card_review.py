from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


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

    @api.model
    def _check_can_review(self):
        if not self.env.user.has_group("customer_mgmt.group_customer_manager"):
            raise AccessError(self.env._("Only sales managers can review customer cards."))

    @api.model
    def _record(self, customers, remarks):
        """Record a manager's review of the cards of ``customers``."""
        self._check_can_review()
        if not (remarks or "").strip():
            raise UserError(self.env._("A card review needs remarks."))
        today = fields.Date.context_today(self)
        self.create(
            [
                {
                    "partner_id": customer.id,
                    "salesperson_id": customer.user_id.id,
                    "reviewer_id": self.env.uid,
                    "review_date": today,
                    "completeness": customer.card_completeness,
                    "remarks": remarks,
                }
                for customer in customers
            ]
        )
        customers.sudo().write({"card_last_review_date": today, "card_last_reviewer_id": self.env.uid})
        customers._message_log_batch(
            {
                customer.id: self.env._(
                    "Card reviewed by %(reviewer)s: %(remarks)s",
                    reviewer=self.env.user.name,
                    remarks=remarks,
                )
                for customer in customers
            }
        )
