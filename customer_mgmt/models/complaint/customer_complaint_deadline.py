from odoo import fields, models

from .customer_complaint import COMPLAINT_PRIORITIES, OPEN_STATES


class CustomerComplaintDeadline(models.Model):
    """How long a complaint of a priority may stay in a stage before it escalates."""

    _name = "customer.complaint.deadline"
    _description = "Complaint Stage Deadline"
    _order = "company_id, state, priority"

    state = fields.Selection(OPEN_STATES, string="Stage", required=True)
    priority = fields.Selection(COMPLAINT_PRIORITIES, required=True)
    hours = fields.Float(required=True, help="Working time allowed in the stage, in hours.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)

    _stage_priority_uniq = models.Constraint(
        "UNIQUE(company_id, state, priority)", "There is already a deadline for this stage and priority."
    )
    _hours_positive = models.Constraint("CHECK(hours > 0)", "A stage deadline must be positive.")
