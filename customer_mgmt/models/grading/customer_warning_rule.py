from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class CustomerWarningRule(models.Model):
    """The grade dropped (§3.5): the customer's last grade change, within the
    rule's days, moved it to a lower grade."""

    _inherit = "customer.warning.rule"

    warning_type = fields.Selection(
        selection_add=[("grade_dropped", "Grade Dropped")], ondelete={"grade_dropped": "cascade"}
    )

    @api.model
    def _warning_sentences(self):
        return {
            **super()._warning_sentences(),
            "grade_dropped": self.env._(
                "The grade dropped %(measured)s step(s) at the last regrade (watched for %(threshold)s days)."
            ),
        }

    @api.model
    def _warning_thresholds(self):
        return {**super()._warning_thresholds(), "grade_dropped": ("threshold_days",)}

    def _warning_rows_grade_dropped(self, company):
        """The last grade change of each customer in ``company`` (grades are
        ordered best first by sequence): met when it went down and is recent."""
        today = fields.Date.context_today(self)
        return SQL(
            """SELECT last.partner_id, (new.sequence - old.sequence)::float AS measured,
                      %(days)s::float AS threshold,
                      new.sequence > old.sequence AND last.date >= %(since)s AS met
                 FROM (SELECT DISTINCT ON (history.partner_id) history.partner_id, history.date,
                              history.old_grade_id, history.new_grade_id
                         FROM customer_grade_history history
                        WHERE history.company_id = %(company)s
                        ORDER BY history.partner_id, history.date DESC, history.id DESC) last
                 JOIN (%(customers)s) partner ON partner.id = last.partner_id
                 JOIN customer_grade old ON old.id = last.old_grade_id
                 JOIN customer_grade new ON new.id = last.new_grade_id""",
            days=self.threshold_days,
            since=today - timedelta(days=self.threshold_days),
            company=company.id,
            customers=self._customers_sql(company),
        )
