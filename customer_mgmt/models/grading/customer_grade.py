from odoo import fields, models


class CustomerGrade(models.Model):
    """Customer grade (客户等级): AAA, AA, A, B+, B, C or the company's own."""

    _name = "customer.grade"
    _description = "Customer Grade"
    _order = "sequence, id"

    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Best grades first.")
    color = fields.Integer()
    service_policy = fields.Text(translate=True, help="How customers of this grade are served.")
    visit_frequency_days = fields.Integer(
        string="Visit Every (days)", help="How often salespeople visit customers of this grade."
    )
    return_window_days = fields.Integer(
        string="Return Window (days)",
        help="Days after purchase within which customers of this grade may return or exchange goods; "
        "0 uses the company's window.",
    )
    company_id = fields.Many2one("res.company", index=True, help="Leave empty to share the grade.")
    active = fields.Boolean(default=True)

    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))", "A grade with this code already exists."
    )
    _visit_frequency_positive = models.Constraint(
        "CHECK(visit_frequency_days >= 0 AND return_window_days >= 0)",
        "The visit frequency and the return window cannot be negative.",
    )

    def _compute_display_name(self):
        for grade in self:
            grade.display_name = grade.code
