from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from .customer_support_activity import APPROVED_STATES


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields: support to the customer (对客户的支持)
    # ------------------------------------------------------------------
    support_activity_ids = fields.One2many(
        "customer.support.activity", "partner_id", string="Support Activities"
    )
    support_activity_count = fields.Integer(compute="_compute_support_activity_count")
    support_spend = fields.Monetary(
        compute="_compute_support_figures",
        help="Actual cost of the approved, done and evaluated support activities of the current company that "
        "ran during the grading window, in company currency.",
    )
    support_margin_share = fields.Float(
        string="Support / Gross Margin (%)",
        compute="_compute_support_figures",
        help="Support spend against the customer's gross margin over the grading window (sales minus their "
        "cost at invoice time); 0 when the customer has no margin.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_support_activity_count(self):
        counts = dict(
            self.env["customer.support.activity"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.support_activity_count = counts.get(partner.commercial_partner_id, 0)

    @api.depends_context("company", "uid")
    def _compute_support_figures(self):
        """For any number of partners, two queries: the spend of their
        customers (one ``_read_group``) and their gross margin (the grading's
        sales query). Figures of the card sections: for whoever reads them."""
        readable = self.filtered("can_read_card_sections")
        customers = readable.commercial_partner_id
        spend, margin = {}, {}
        if customers:
            spend = dict(
                self.env["customer.support.activity"]
                .sudo()
                ._read_group(self._support_spend_domain(customers), ["partner_id"], ["amount_cost:sum"])
            )
            margin = dict(self._customer_margins(customers))
        for partner in self:
            customer = partner.commercial_partner_id
            amount = spend.get(customer, 0.0) if partner in readable else 0.0
            gross = margin.get(customer.id, 0.0)
            partner.support_spend = amount
            partner.support_margin_share = 100 * amount / gross if gross > 0 else 0.0

    @api.model
    def _support_spend_domain(self, customers):
        """The support activities whose cost counts as spent on ``customers``
        in the current company: approved (or done, or evaluated) and running
        at some point of the company's grading window, the months up to today
        over which grading reads sales and margin."""
        company = self.env.company
        today = fields.Date.context_today(self)
        window_start = today - relativedelta(months=company.customer_grade_months)
        return (
            Domain("partner_id", "in", customers.ids)
            & Domain("company_id", "=", company.id)
            & Domain("state", "in", APPROVED_STATES)
            & Domain("date_end", ">", window_start)
            & Domain("date_start", "<=", today)
        )

    @api.model
    def _customer_margins(self, customers):
        """(customer id, gross margin) in the current company over its grading
        window: the grading's sales and cost at invoice time (one query)."""
        self.env["account.move.line"].flush_model(["balance", "customer_cost", "display_type", "move_id"])
        self.env["account.move"].flush_model(
            ["company_id", "commercial_partner_id", "state", "move_type", "invoice_date"]
        )
        return self.env.execute_query(
            SQL(
                "SELECT partner_id, revenue - cost FROM (%(sales)s) sales WHERE company_id = %(company_id)s",
                sales=self._customer_sales_sql(customers.ids),
                company_id=self.env.company.id,
            )
        )

    @api.model
    def _customer_kept_by(self):
        return [
            *super()._customer_kept_by(),
            ("customer.support.activity", self.env._("the support activities")),
        ]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_support_activities(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_mgmt.customer_support_activity_action"
        )
        customer = self.commercial_partner_id[:1]
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action
