from odoo import fields, models


class CustomerGradeHistory(models.Model):
    """Every grade change, automatic or manual, with the figures behind it."""

    _name = "customer.grade.history"
    _description = "Customer Grade History"
    _order = "date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Date(required=True, index=True)
    old_grade_id = fields.Many2one("customer.grade")
    new_grade_id = fields.Many2one("customer.grade")
    monthly_avg_sales = fields.Monetary(string="Monthly Average Sales", currency_field="currency_id")
    gross_margin = fields.Float(string="Gross Margin (%)", digits=(5, 2), aggregator="avg")
    abc_class = fields.Selection([("a", "A"), ("b", "B"), ("c", "C")], string="ABC Class")
    currency_id = fields.Many2one(related="company_id.currency_id")
    source = fields.Selection([("auto", "Automatic"), ("manual", "Manual")], required=True)
    reason = fields.Char()
    user_id = fields.Many2one("res.users", required=True)
