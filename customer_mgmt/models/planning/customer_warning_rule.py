from odoo import api, fields, models
from odoo.tools import SQL

from .customer_sales_plan import month_start


class CustomerWarningRule(models.Model):
    """Sales behind the approved plan of the month (销售进度预警)."""

    _inherit = "customer.warning.rule"

    warning_type = fields.Selection(
        selection_add=[("sales_behind_plan", "Sales behind Plan")], ondelete={"sales_behind_plan": "cascade"}
    )

    @api.model
    def _warning_sentences(self):
        return {
            **super()._warning_sentences(),
            "sales_behind_plan": self.env._(
                "Invoiced %(measured)s%% of this month's plan so far, below the %(threshold)s%% warning "
                "level of the progress expected by today."
            ),
        }

    @api.model
    def _warning_thresholds(self):
        return {**super()._warning_thresholds(), "sales_behind_plan": ("threshold_percent", "threshold_days")}

    def _warning_rows_sales_behind_plan(self, company):
        """Month-to-date invoiced sales against the approved plan of the
        month: met when below the expected pro-rata progress by more than the
        rule's percent of it, once the rule's days of the month have passed
        (a customer who buys mid-month is not behind on the 2nd)."""
        today = fields.Date.context_today(self)
        month = month_start(today)
        if (today - month).days < self.threshold_days:
            return SQL(
                "SELECT NULL::int AS partner_id, NULL::float AS measured, NULL::float AS threshold, "
                "FALSE AS met WHERE FALSE"
            )
        level = self.env["customer.sales.plan"]._expected_ratio(month, today, company) * (
            1 - self.threshold_percent / 100.0
        )
        return SQL(
            """SELECT plan.partner_id,
                      ROUND((100.0 * COALESCE(sales.amount, 0) / plan.amount_target)::numeric, 1)::float
                          AS measured,
                      ROUND(100.0 * %(level)s, 1)::float AS threshold,
                      COALESCE(sales.amount, 0) < plan.amount_target * %(level)s AS met
                 FROM customer_sales_plan plan
                 JOIN (%(customers)s) partner ON partner.id = plan.partner_id
                 LEFT JOIN (%(sales)s) sales ON sales.partner_id = plan.partner_id
                WHERE plan.company_id = %(company)s AND plan.month = %(month)s AND plan.state = 'approved'
                  AND plan.amount_target > 0""",
            level=level,
            customers=self._customers_sql(company),
            sales=self._sales_sql(company, month, today),
            company=company.id,
            month=month,
        )
