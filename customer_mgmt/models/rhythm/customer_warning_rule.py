from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .res_partner import TREND_DAYS


class CustomerWarningRule(models.Model):
    """Warnings read from the purchase rhythm: churn and falling frequency
    (销售进度预警, 客户流失预警), and sales below the same months last year."""

    _inherit = "customer.warning.rule"

    warning_type = fields.Selection(
        selection_add=[
            ("sales_below_last_year", "Sales below Last Year"),
            ("frequency_dropping", "Purchase Frequency Dropping"),
            ("churn", "Customer Churning"),
        ],
        ondelete={
            "sales_below_last_year": "cascade",
            "frequency_dropping": "cascade",
            "churn": "cascade",
        },
    )

    @api.model
    def _warning_sentences(self):
        return {
            **super()._warning_sentences(),
            "sales_below_last_year": (
                self.env._("Sales of the last 3 months rose %(measured)s%% over the same months last year."),
                self.env._(
                    "Sales of the last 3 months fell %(measured)s%% below the same months last year "
                    "(warning from %(threshold)s%%)."
                ),
            ),
            "frequency_dropping": self.env._(
                "Purchase days in the last 90 days are %(measured)s%% of the 90 days before "
                "(warning below %(threshold)s%%)."
            ),
            "churn": self.env._(
                "No purchase for %(measured)s days, longer than this customer's usual gap allows "
                "(%(threshold)s days)."
            ),
        }

    @api.model
    def _warning_thresholds(self):
        return {
            **super()._warning_thresholds(),
            "sales_below_last_year": ("threshold_percent", "threshold_amount"),
            "frequency_dropping": ("threshold_percent", "threshold_count"),
            "churn": ("threshold_factor", "threshold_count", "threshold_days"),
        }

    def _warning_rows_sales_below_last_year(self, company):
        """Invoiced sales of the rolling 3 months against the same 3 months a
        year before, for customers who bought at least the rule's amount then."""
        today = fields.Date.context_today(self)
        start = today - relativedelta(months=3) + relativedelta(days=1)
        year = relativedelta(years=1)
        return SQL(
            """SELECT before.partner_id, ROUND((100.0 * (COALESCE(now.amount, 0) - before.amount)
                                             / before.amount)::numeric, 1)::float AS measured,
                      %(percent)s::float AS threshold,
                      COALESCE(now.amount, 0) < before.amount * (1 - %(percent)s / 100.0) AS met
                 FROM (%(before)s) before
                 JOIN (%(customers)s) partner ON partner.id = before.partner_id
                 LEFT JOIN (%(now)s) now ON now.partner_id = before.partner_id
                WHERE before.amount > GREATEST(%(minimum)s, 0)""",
            percent=self.threshold_percent,
            minimum=self.threshold_amount,
            customers=self._customers_sql(company),
            before=self._sales_sql(company, start - year, today - year),
            now=self._sales_sql(company, start, today),
        )

    def _warning_rows_frequency_dropping(self, company):
        """Purchase days of the last 90 days below the rule's percent of the
        90 before, for customers with at least the rule's count then."""
        return SQL(
            """SELECT partner.id AS partner_id,
                      ROUND(100.0 * partner.purchase_days_recent / partner.purchase_days_previous, 1)::float
                          AS measured,
                      %(percent)s::float AS threshold,
                      100.0 * partner.purchase_days_recent < %(percent)s * partner.purchase_days_previous
                          AS met
                 FROM (%(customers)s) partner
                WHERE partner.purchase_days_previous >= GREATEST(%(count)s, 1)""",
            percent=self.threshold_percent,
            count=self.threshold_count,
            customers=self._home_customers_sql(company),
        )

    def _warning_rows_churn(self, company):
        """Days since the last purchase against the customer's own rhythm:
        max(factor × its median gap, its 90th percentile gap) for customers
        with at least the rule's count of purchase days, the rule's days for
        the others. A weekly buyer is warned within weeks, a quarterly buyer
        only after months."""
        today = fields.Date.context_today(self)
        return SQL(
            """SELECT partner_id, measured, threshold, measured > threshold AS met
                 FROM (SELECT partner.id AS partner_id,
                              (%(today)s - partner.last_purchase_date)::float AS measured,
                              CASE WHEN partner.purchase_day_count >= GREATEST(%(count)s, 2)
                                   THEN CEIL(GREATEST(%(factor)s * partner.purchase_gap_median,
                                                      partner.purchase_gap_p90))
                                   ELSE %(days)s END::float AS threshold
                         FROM (%(customers)s) partner
                        WHERE partner.last_purchase_date IS NOT NULL) rhythm""",
            today=today,
            count=self.threshold_count,
            factor=self.threshold_factor,
            days=self.threshold_days or 2 * TREND_DAYS,
            customers=self._home_customers_sql(company),
        )
