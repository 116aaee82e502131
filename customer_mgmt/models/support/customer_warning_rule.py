from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .customer_support_activity import APPROVED_STATES


class CustomerWarningRule(models.Model):
    """Support spend over budget or out of proportion to the customer's
    margin (销售费用预警)."""

    _inherit = "customer.warning.rule"

    warning_type = fields.Selection(
        selection_add=[("support_over_budget", "Support over Budget")],
        ondelete={"support_over_budget": "cascade"},
    )

    @api.model
    def _warning_sentences(self):
        return {
            **super()._warning_sentences(),
            "support_over_budget": self.env._(
                "Support spent on this customer is %(measured)s%% of its gross margin over the grading "
                "window (warning above %(threshold)s%%), or a support activity cost more than its budget."
            ),
        }

    @api.model
    def _warning_thresholds(self):
        return {**super()._warning_thresholds(), "support_over_budget": ("threshold_percent",)}

    def _warning_rows_support_over_budget(self, company):
        """Customers with support activities of ``company`` running in the
        grading window: met when one cost more than its budget, or when their
        cost is above the rule's percent of the customer's gross margin."""
        today = fields.Date.context_today(self)
        window_start = today - relativedelta(months=company.customer_grade_months)
        spend = SQL(
            """SELECT activity.partner_id, SUM(activity.amount_cost) AS amount,
                      BOOL_OR(activity.amount_cost > activity.amount_budget) AS over_budget
                 FROM customer_support_activity activity
                WHERE activity.company_id = %s AND activity.state IN %s
                  AND activity.date_end > %s AND activity.date_start <= %s
                GROUP BY activity.partner_id""",
            company.id,
            APPROVED_STATES,
            window_start,
            today,
        )
        spenders = [
            partner_id
            for (partner_id,) in self.env.execute_query(SQL("SELECT partner_id FROM (%s) s", spend))
        ]
        return SQL(
            """SELECT spend.partner_id,
                      COALESCE(ROUND((100.0 * spend.amount / NULLIF(sales.margin, 0))::numeric, 1), 0)::float
                          AS measured,
                      %(percent)s::float AS threshold,
                      spend.over_budget
                          OR (sales.margin > 0 AND 100.0 * spend.amount > %(percent)s * sales.margin)
                          AS met
                 FROM (%(spend)s) spend
                 JOIN (%(customers)s) partner ON partner.id = spend.partner_id
                 LEFT JOIN (SELECT partner_id, revenue - cost AS margin FROM (%(sales)s) sales
                             WHERE company_id = %(company)s) sales ON sales.partner_id = spend.partner_id""",
            percent=self.threshold_percent,
            spend=spend,
            customers=self._customers_sql(company),
            sales=self.env["res.partner"]._customer_sales_sql(spenders),
            company=company.id,
        )
