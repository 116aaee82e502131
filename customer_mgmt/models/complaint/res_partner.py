from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    complaint_ids = fields.One2many("customer.complaint", "partner_id", string="Complaints")
    complaint_count = fields.Integer(compute="_compute_complaint_count")

    # ------------------------------------------------------------------
    # Compute methods
    # ------------------------------------------------------------------
    def _compute_complaint_count(self):
        counts = dict(
            self.env["customer.complaint"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.complaint_count = counts.get(partner.commercial_partner_id, 0)

    @api.model
    def _customer_kept_by(self):
        return [*super()._customer_kept_by(), ("customer.complaint", self.env._("the complaints"))]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_complaints(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_mgmt.customer_complaint_action")
        customer = self.commercial_partner_id[:1]
        action["domain"] = [("partner_id", "=", customer.id)]
        action["context"] = {"default_partner_id": customer.id}
        return action
