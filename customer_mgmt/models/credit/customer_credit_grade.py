from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerCreditGrade(models.Model):
    _name = "customer.credit.grade"
    _description = "Credit Grade"
    _order = "min_score desc, id"

    code = fields.Char(required=True)
    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    min_score = fields.Float(
        string="From Score", required=True, help="Scorecard totals from this score up get this grade."
    )
    limit_months = fields.Float(
        string="Limit (months of sales)",
        required=True,
        help="Credit standard table (授信标准表): the suggested credit limit is this many months of the "
        "customer's average monthly sales. 0: cash only.",
    )
    color = fields.Integer()
    policy = fields.Text(string="Credit Policy", translate=True)

    _code_company_uniq = models.Constraint("unique(code, company_id)", "Credit grade codes must be unique.")

    @api.constrains("min_score", "limit_months")
    def _check_values(self):
        for grade in self:
            if not 0 <= grade.min_score <= 100 or grade.limit_months < 0:
                raise ValidationError(
                    self.env._(
                        "Credit grade %(grade)s: the score must be between 0 and 100 and the limit multiple "
                        "cannot be negative.",
                        grade=grade.code,
                    )
                )

    @api.depends("code", "name")
    def _compute_display_name(self):
        for grade in self:
            grade.display_name = f"{grade.code} {grade.name}"

    @api.model
    def _for_score(self, score, company):
        """The grade of a scorecard total: the highest grade whose threshold it reaches."""
        return self.search(
            [("min_score", "<=", score), ("company_id", "in", [company.id, False])],
            order="min_score desc",
            limit=1,
        )
