from odoo import api, fields, models

from .customer_sales_plan import month_start


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Fields: sales plans (销售计划)
    # ------------------------------------------------------------------
    sales_plan_count = fields.Integer(
        compute="_compute_sales_plan_figures", help="Sales plans of the customer the user may read."
    )
    sales_plan_progress = fields.Float(
        string="This Month's Progress",
        compute="_compute_sales_plan_figures",
        help="Invoiced in percent of this month's target, in the current company.",
    )

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    @api.depends_context("company", "uid")
    def _compute_sales_plan_figures(self):
        """One count for all the customers, one search for this month's plans,
        whose progress is computed for them all at once."""
        Plan = self.env["customer.sales.plan"]
        if not Plan.has_access("read"):
            self.sales_plan_count = 0
            self.sales_plan_progress = 0.0
            return
        customers = self.commercial_partner_id
        counts = dict(Plan._read_group([("partner_id", "in", customers.ids)], ["partner_id"], ["__count"]))
        this_month = Plan.search(
            [
                ("partner_id", "in", customers.ids),
                ("company_id", "=", self.env.company.id),
                ("month", "=", month_start(fields.Date.context_today(self))),
            ]
        )
        progress = {plan.partner_id: plan.progress for plan in this_month}
        for partner in self:
            customer = partner.commercial_partner_id
            partner.sales_plan_count = counts.get(customer, 0)
            partner.sales_plan_progress = progress.get(customer, 0.0)

    @api.model
    def _customer_kept_by(self):
        return [*super()._customer_kept_by(), ("customer.sales.plan", self.env._("the sales plans"))]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_sales_plans(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_mgmt.customer_sales_plan_action")
        customer = self.commercial_partner_id[:1]
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action
