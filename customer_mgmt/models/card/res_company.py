from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    customer_card_stale_days = fields.Integer(
        string="Card Review Period (days)",
        default=7,
        help="A card not reviewed by a manager for this many days is flagged as stale. "
        "The method asks managers to review every salesperson's cards at least weekly.",
        customer_setting=(1, 3650),
    )
    customer_card_required_field_ids = fields.Many2many(
        "ir.model.fields",
        "res_company_customer_card_field_rel",
        "company_id",
        "field_id",
        string="Required Card Fields",
        domain="[('model', '=', 'res.partner'), ('name', 'in', customer_card_field_names)]",
        help="Fields a complete customer card must have filled in. "
        "When empty, the default set of the card's main fields is used.",
    )
    customer_card_field_names = fields.Json(compute="_compute_customer_card_field_names")

    def _compute_customer_card_field_names(self):
        names = self.env["res.partner"]._customer_card_fields()
        for company in self:
            company.customer_card_field_names = names

    def _customer_card_required_fields(self):
        """Field names a complete card needs in this company."""
        self.ensure_one()
        return (
            self.customer_card_required_field_ids.mapped("name")
            or self.env["res.partner"]._customer_card_default_required_fields()
        )

    def write(self, vals):
        res = super().write(vals)
        if "customer_card_required_field_ids" in vals:
            partners = self.env["res.partner"].search(
                [("company_id", "in", [*self.ids, False]), ("is_customer_card", "=", True)]
            )
            self.env.add_to_compute(partners._fields["card_completeness"], partners)
        return res
