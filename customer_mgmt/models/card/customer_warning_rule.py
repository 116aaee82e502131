from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class CustomerWarningRule(models.Model):
    """Warnings of the card: incomplete after the first weeks (§1.4), review
    overdue (§1.5), a licence or certificate expiring."""

    _inherit = "customer.warning.rule"

    warning_type = fields.Selection(
        selection_add=[
            ("card_incomplete", "Card Incomplete"),
            ("review_overdue", "Card Review Overdue"),
            ("certificate_expiring", "Certificate Expiring"),
        ],
        ondelete={
            "card_incomplete": "cascade",
            "review_overdue": "cascade",
            "certificate_expiring": "cascade",
        },
    )

    @api.model
    def _warning_sentences(self):
        return {
            **super()._warning_sentences(),
            "card_incomplete": self.env._(
                "The customer card is %(measured)s%% complete, below the %(threshold)s%% required."
            ),
            "review_overdue": self.env._(
                "The card was last reviewed %(measured)s days ago (review at least every %(threshold)s days)."
            ),
            "certificate_expiring": (
                self.env._("A certificate expires in %(measured)s days (warned %(threshold)s days ahead)."),
                self.env._("A certificate expired %(measured)s days ago."),
            ),
        }

    @api.model
    def _warning_thresholds(self):
        return {
            **super()._warning_thresholds(),
            "card_incomplete": ("threshold_days", "threshold_percent"),
        }

    def _warning_rows_card_incomplete(self, company):
        """Customers created more than the rule's days ago whose card is below
        the rule's completeness."""
        today = fields.Date.context_today(self)
        return SQL(
            """SELECT partner.id AS partner_id, partner.card_completeness AS measured,
                      %(percent)s::float AS threshold, partner.card_completeness < %(percent)s AS met
                 FROM (%(customers)s) partner
                WHERE partner.is_customer_card AND partner.customer_rank > 0
                  AND partner.create_date < %(created_before)s""",
            percent=self.threshold_percent,
            created_before=fields.Datetime.to_datetime(today) - timedelta(days=self.threshold_days),
            customers=self._home_customers_sql(company),
        )

    def _warning_rows_review_overdue(self, company):
        """Cards not reviewed within the company's review period."""
        today = fields.Date.context_today(self)
        days = company.customer_card_stale_days
        return SQL(
            """SELECT partner.id AS partner_id,
                      (%(today)s - COALESCE(partner.card_last_review_date, partner.create_date::date))::float
                          AS measured,
                      %(days)s::float AS threshold,
                      COALESCE(partner.card_last_review_date, partner.create_date::date)
                          < %(today)s - %(days)s
                          AS met
                 FROM (%(customers)s) partner
                WHERE partner.is_customer_card AND partner.customer_rank > 0""",
            today=today,
            days=days,
            customers=self._home_customers_sql(company),
        )

    def _warning_rows_certificate_expiring(self, company):
        """Customers with a certificate expired or within its type's warning
        period: the days left of the one most urgent."""
        today = fields.Date.context_today(self)
        return SQL(
            """SELECT DISTINCT ON (cert.partner_id) cert.partner_id,
                      (cert.expiry_date - %(today)s)::float AS measured,
                      ctype.expiry_warning_days::float AS threshold,
                      cert.expiry_date <= %(today)s + ctype.expiry_warning_days AS met
                 FROM customer_certificate cert
                 JOIN customer_certificate_type ctype ON ctype.id = cert.type_id
                 JOIN (%(customers)s) partner ON partner.id = cert.partner_id
                WHERE cert.expiry_date IS NOT NULL
                -- the certificate closest to (or furthest into) its warning period
                ORDER BY cert.partner_id, cert.expiry_date - ctype.expiry_warning_days, cert.id""",
            today=today,
            customers=self._home_customers_sql(company),
        )
