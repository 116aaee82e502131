from odoo import api, fields, models

from .customer_warning import LIVE_STATES


class ResPartner(models.Model):
    """The customer's open warnings, as the user may see them: the alert line
    and the smart button of the card, the badge of the kanban."""

    _inherit = "res.partner"

    customer_warning_ids = fields.One2many("customer.warning", "partner_id", string="Warnings")
    open_warning_count = fields.Integer(
        string="Open Warnings", compute="_compute_open_warnings", compute_sudo=False
    )
    open_warning_summary = fields.Text(compute="_compute_open_warnings", compute_sudo=False)

    @api.depends("customer_warning_ids.state")
    @api.depends_context("uid", "lang", "allowed_company_ids")
    def _compute_open_warnings(self):
        """One search for all the partners, through the warnings' record rules."""
        warnings = self.env["customer.warning"].search(
            [("partner_id", "in", self.commercial_partner_id.ids), ("state", "in", LIVE_STATES)],
            order="severity_order desc, id",
        )
        by_partner = warnings.grouped("partner_id")
        types = dict(warnings._fields["warning_type"]._description_selection(self.env))
        for partner in self:
            mine = by_partner.get(partner.commercial_partner_id, warnings.browse())
            partner.open_warning_count = len(mine)
            partner.open_warning_summary = "\n".join(
                f"{types[warning.warning_type]}: {warning.summary}" for warning in mine
            )

    def action_view_warnings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_mgmt.customer_warning_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "search_default_filter_live": 1,
            "default_partner_id": self.commercial_partner_id.id,
        }
        return action

    def action_report_incident(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Report a Major Incident"),
            "res_model": "customer.incident.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }
