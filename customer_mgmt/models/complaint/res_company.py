from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_return_window_days = fields.Integer(
        string="Return Window (days)",
        default=30,
        help="Days after purchase within which customers may return or exchange goods, unless their grade "
        "sets its own window.",
        customer_setting=(1, 3650),
    )

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

    @api.model
    def _customer_complaint_deadlines_for_all(self):
        companies = self.sudo().with_context(active_test=False).search([])  # pylint: disable=no-search-all
        companies._customer_complaint_default_deadlines()

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies.sudo()._customer_complaint_default_deadlines()
        return companies
