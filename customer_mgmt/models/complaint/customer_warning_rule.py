from odoo import api, fields, models
from odoo.tools import SQL

from .customer_complaint import FINAL_STATES


class CustomerWarningRule(models.Model):
    """A complaint escalated for missing its stage deadline (§6.2,
    最忌讳投诉没有下文) shows on the customer's warnings until it moves on."""

    _inherit = "customer.warning.rule"

    warning_type = fields.Selection(
        selection_add=[("complaint_overdue", "Complaint Overdue")], ondelete={"complaint_overdue": "cascade"}
    )

    @api.model
    def _warning_sentences(self):
        return {
            **super()._warning_sentences(),
            "complaint_overdue": self.env._(
                "%(measured)s complaint(s) of this customer missed their deadline."
            ),
        }

    def _warning_rows_complaint_overdue(self, company):
        return SQL(
            """SELECT partner.id AS partner_id,
                      COUNT(complaint.id) FILTER (WHERE complaint.escalated)::float AS measured,
                      1::float AS threshold, BOOL_OR(complaint.escalated) AS met
                 FROM customer_complaint complaint
                 JOIN res_partner contact ON contact.id = complaint.partner_id
                 JOIN (%(customers)s) partner ON partner.id = contact.commercial_partner_id
                WHERE complaint.company_id = %(company)s AND complaint.state NOT IN %(final)s
                GROUP BY partner.id""",
            company=company.id,
            final=FINAL_STATES,
            customers=self._customers_sql(company),
        )
