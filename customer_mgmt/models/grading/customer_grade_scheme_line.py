from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from .customer_grade_scheme import BandsChecked


class CustomerGradeSchemeLine(models.Model):
    """A sales band [amount_min, amount_max) of monthly average sales: its base
    grade, and the grade given when the gross margin reaches the quota
    (毛利率超过定额升到上一级)."""

    _name = "customer.grade.scheme.line"
    _description = "Customer Grading Band"
    _order = "scheme_id, amount_min desc, id"

    scheme_id = fields.Many2one("customer.grade.scheme", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="scheme_id.currency_id")
    amount_min = fields.Monetary(string="Monthly Sales From", required=True)
    amount_max = fields.Monetary(string="Monthly Sales Below", help="Leave empty for the highest band.")
    grade_id = fields.Many2one("customer.grade", required=True)
    margin_quota = fields.Float(
        string="Margin Quota (%)",
        digits=(5, 2),
        help="Gross margin from which the customer gets the upgrade grade. Leave 0 for no upgrade.",
    )
    upgrade_grade_id = fields.Many2one("customer.grade", string="Grade at Quota")

    @api.depends("amount_min", "amount_max", "grade_id")
    def _compute_display_name(self):
        for band in self:
            low = format_amount(self.env, band.amount_min, band.currency_id)
            if band.amount_max:
                high = format_amount(self.env, band.amount_max, band.currency_id)
                band.display_name = f"[{low}, {high}) {band.grade_id.code or ''}"
            else:
                band.display_name = f"≥ {low} {band.grade_id.code or ''}"

    @api.constrains("amount_min", "amount_max", "margin_quota", "upgrade_grade_id")
    def _check_band(self):
        self.scheme_id._check_bands()
        for band in self:
            if band.amount_min < 0 or (band.amount_max and band.amount_max <= band.amount_min):
                raise ValidationError(
                    self.env._(
                        "Band %(band)s of scheme %(scheme)s must have 0 <= lower bound < upper bound.",
                        band=band.display_name,
                        scheme=band.scheme_id.name,
                    )
                )
            if band.margin_quota < 0 or bool(band.margin_quota) != bool(band.upgrade_grade_id):
                raise ValidationError(
                    self.env._(
                        "Band %(band)s of scheme %(scheme)s needs both a positive margin quota and a "
                        "grade at quota, or neither.",
                        band=band.display_name,
                        scheme=band.scheme_id.name,
                    )
                )

    def unlink(self):
        schemes = self.scheme_id
        checked = self.env.context.get("customer_mgmt_bands_checked")
        if isinstance(checked, BandsChecked):
            schemes = schemes.filtered(lambda scheme: scheme.id not in checked)
        if not schemes:
            return super().unlink()
        # a band deleted leaves a gap or an open top as surely as a band edited
        with self.env.cr.savepoint():
            res = super().unlink()
            schemes.exists()._check_bands()
        return res
