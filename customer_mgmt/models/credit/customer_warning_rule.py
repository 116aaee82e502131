from odoo import api, fields, models
from odoo.tools import SQL


class CustomerWarningRule(models.Model):
    """Warnings of credit management: exposure over the limit (外欠款预警),
    from the same figures as the credit check, and a limit about to expire."""

    _inherit = "customer.warning.rule"

    warning_type = fields.Selection(
        selection_add=[
            ("receivable_over_limit", "Receivables over Credit Limit"),
            ("credit_limit_expiring", "Credit Limit Expiring"),
        ],
        ondelete={"receivable_over_limit": "cascade", "credit_limit_expiring": "cascade"},
    )

    @api.model
    def _warning_sentences(self):
        return {
            **super()._warning_sentences(),
            "receivable_over_limit": self.env._(
                "Credit exposure of %(measured)s is over the credit limit of %(threshold)s."
            ),
            "credit_limit_expiring": (
                self.env._(
                    "The credit limit expires in %(measured)s days (warned %(threshold)s days ahead)."
                ),
                self.env._("The credit limit expired %(measured)s days ago: review the customer's credit."),
            ),
        }

    @api.model
    def _warning_thresholds(self):
        return {**super()._warning_thresholds(), "credit_limit_expiring": ("threshold_days",)}

    def _warning_rows_receivable_over_limit(self, company):
        """Exposure against Odoo's credit limit of the customers who have one,
        from the credit check's own figures query, whatever the company's
        credit control setting: a warning blocks nothing."""
        exposure = self.env["customer.credit.exposure"]
        limit_fallback = exposure._limit_fallback(company)
        figures = exposure._figures_query(
            customers=SQL(
                """SELECT partner.id, NULL::int[] AS order_ids FROM (%s) partner
                    WHERE COALESCE((partner.credit_limit ->> %s)::float, %s) > 0""",
                self._customers_sql(company),
                str(company.id),
                limit_fallback,
            ),
            company=SQL("%s", company.id),
            limit_fallback=SQL("%s", limit_fallback),
            today=SQL("%s", fields.Date.context_today(self)),
            exclude=SQL("%s", []),
            lock=SQL("SELECT NULL"),
            scan_all=True,
        )
        digits = company.currency_id.decimal_places
        return SQL(
            """SELECT id AS partner_id, exposure::float AS measured, credit_limit::float AS threshold,
                      exposure > ROUND(credit_limit::numeric, %(digits)s) AS met
                 FROM (SELECT id, credit_limit, ROUND(receivable::numeric, %(digits)s)
                                                + ROUND(draft::numeric, %(digits)s)
                                                + ROUND(orders::numeric, %(digits)s) AS exposure
                         FROM (%(figures)s) figures(id, order_ids, name, hold_reason, credit_limit, hold,
                                                    receivable, draft, orders, overdue, overdue_days)
                      ) measured""",
            figures=figures,
            digits=digits,
        )

    def _warning_rows_credit_limit_expiring(self, company):
        """Customers whose credit limit ends within the rule's days, or ended."""
        today = fields.Date.context_today(self)
        return SQL(
            """SELECT partner.id AS partner_id,
                      (partner.credit_limit_date_end - %(today)s)::float AS measured,
                      %(days)s::float AS threshold,
                      partner.credit_limit_date_end <= %(today)s + %(days)s AS met
                 FROM (%(customers)s) partner
                WHERE partner.credit_limit_date_end IS NOT NULL""",
            today=today,
            days=self.threshold_days,
            customers=self._home_customers_sql(company),
        )
