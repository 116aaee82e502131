from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_new_months = fields.Integer(
        string="New Customer Period (months)",
        default=12,
        help="A customer whose first trade is within this many months is a new customer; "
        "older ones are old customers.",
    )
    customer_former_months = fields.Integer(
        string="Former Customer Period (months)",
        default=12,
        help="A customer who traded before but not in this many months is a former customer.",
    )
    customer_card_stale_days = fields.Integer(
        string="Card Review Period (days)",
        default=7,
        help="A card not reviewed by a manager for this many days is flagged as stale. "
        "The method asks managers to review every salesperson's cards at least weekly.",
    )
    customer_card_required_field_ids = fields.Many2many(
        "ir.model.fields",
        "res_company_customer_card_field_rel",
        "company_id",
        "field_id",
        string="Required Card Fields",
        domain="[('model', '=', 'res.partner'), ('name', 'in', customer_card_field_names)]",
        help="Fields a complete customer card must have filled in. "
        "When empty, the default set of the card's main fields is used.",
    )
    customer_card_field_names = fields.Json(compute="_compute_customer_card_field_names")
    customer_return_window_days = fields.Integer(
        string="Return Window (days)",
        default=30,
        help="Days after purchase within which customers may return or exchange goods, unless their grade "
        "sets its own window.",
    )
    customer_grade_months = fields.Integer(
        string="Grading Window (months)",
        default=12,
        help="Monthly average sales and gross margin are taken over this many months up to the day of "
        "grading.",
    )
    customer_abc_a_cutoff = fields.Float(
        string="ABC: A up to (%)",
        default=75.0,
        help="Customers making the first this-many percent of cumulative sales are A customers.",
    )
    customer_abc_b_cutoff = fields.Float(
        string="ABC: B up to (%)",
        default=95.0,
        help="The following customers up to this cumulative percentage are B customers; the rest are C.",
    )

    customer_credit_control = fields.Selection(
        [("off", "Off"), ("warn", "Warn"), ("block", "Block")],
        string="Credit Control",
        default="off",
        required=True,
        help="Off: Odoo's flows are unchanged. Warn: orders and invoices show the customer's exposure "
        "against its limit. Block: the checkpoints below refuse customers on hold or over their limit.",
    )
    customer_credit_check_order = fields.Boolean(
        string="Check at Order Confirmation",
        default=True,
        help="In block mode, orders of customers on hold or over their limit cannot be confirmed.",
    )
    customer_credit_check_delivery = fields.Boolean(
        string="Check at Delivery",
        help="In block mode, deliveries to customers on hold cannot be validated (needs Inventory).",
    )
    customer_credit_check_invoice = fields.Boolean(
        string="Check at Invoice Posting",
        help="In block mode, invoices of customers on hold cannot be posted.",
    )
    customer_credit_overdue_days = fields.Integer(
        string="Hold After Days Overdue",
        default=60,
        help="The credit review holds customers with an instalment overdue longer than this. 0: never.",
    )
    customer_credit_second_level_amount = fields.Monetary(
        string="Second Approval Above",
        currency_field="currency_id",
        help="Credit applications for a higher limit also need a credit manager's approval. 0: never.",
    )
    customer_credit_validity_months = fields.Integer(
        string="Credit Limit Validity (months)",
        default=12,
        help="Default validity of an approved credit limit; an expired limit puts the customer under review.",
    )

    @api.constrains(
        "customer_credit_overdue_days",
        "customer_credit_second_level_amount",
        "customer_credit_validity_months",
    )
    def _check_customer_credit(self):
        for company in self:
            if (
                company.customer_credit_overdue_days < 0
                or company.customer_credit_second_level_amount < 0
                or company.customer_credit_validity_months <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: overdue days and the second approval amount cannot be negative, and "
                        "the credit limit validity must be positive.",
                        company=company.name,
                    )
                )

    def _credit_controllers(self):
        """Credit controllers working in this company."""
        self.ensure_one()
        group = self.env.ref("customer_mgmt.group_credit_controller")
        return group.sudo().all_user_ids.filtered(lambda user: self in user.company_ids and user.active)

    @api.constrains("customer_new_months", "customer_former_months", "customer_card_stale_days")
    def _check_customer_periods(self):
        for company in self:
            if (
                min(
                    company.customer_new_months,
                    company.customer_former_months,
                    company.customer_card_stale_days,
                )
                <= 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(company)s: the new and former customer periods and the card review period "
                        "must be positive.",
                        company=company.name,
                    )
                )

    @api.constrains("customer_grade_months", "customer_abc_a_cutoff", "customer_abc_b_cutoff")
    def _check_customer_grading(self):
        for company in self:
            if company.customer_grade_months <= 0:
                raise ValidationError(
                    self.env._("%(company)s: the grading window must be positive.", company=company.name)
                )
            if not 0 < company.customer_abc_a_cutoff < company.customer_abc_b_cutoff <= 100:
                raise ValidationError(
                    self.env._(
                        "%(company)s: ABC cut-offs need 0 < A (%(a)s%%) < B (%(b)s%%) <= 100.",
                        company=company.name,
                        a=company.customer_abc_a_cutoff,
                        b=company.customer_abc_b_cutoff,
                    )
                )

    def _compute_customer_card_field_names(self):
        names = self.env["res.partner"]._customer_card_fields()
        for company in self:
            company.customer_card_field_names = names

    def _customer_card_required_fields(self):
        """Field names a complete card needs in this company."""
        self.ensure_one()
        return (
            self.customer_card_required_field_ids.mapped("name")
            or self.env["res.partner"]._customer_card_default_required_fields()
        )

    def write(self, vals):
        res = super().write(vals)
        if "customer_card_required_field_ids" in vals:
            partners = self.env["res.partner"].search(
                [("company_id", "in", [*self.ids, False]), ("is_customer_card", "=", True)]
            )
            self.env.add_to_compute(partners._fields["card_completeness"], partners)
        return res

    def _customer_complaint_default_deadlines(self):
        """Stage deadlines in hours for normal, high and urgent complaints."""
        hours = {
            "recorded": (24, 8, 4),
            "accepted": (24, 8, 4),
            "assigned": (72, 24, 8),
            "analysed": (48, 24, 8),
            "proposed": (24, 8, 4),
            "approved": (120, 48, 24),
            "implemented": (72, 24, 8),
        }
        existing = self.env["customer.complaint.deadline"].search([("company_id", "in", self.ids)])
        done = {(rule.company_id, rule.state, rule.priority) for rule in existing}
        self.env["customer.complaint.deadline"].create(
            [
                {
                    "company_id": company.id,
                    "state": state,
                    "priority": priority,
                    "hours": stage_hours[int(priority)],
                }
                for company in self
                for state, stage_hours in hours.items()
                for priority in ("0", "1", "2")
                if (company, state, priority) not in done
            ]
        )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies.sudo()._customer_complaint_default_deadlines()
        return companies
