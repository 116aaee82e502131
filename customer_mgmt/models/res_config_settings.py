from datetime import datetime, timedelta

import pytz

from odoo import fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    customer_new_months = fields.Integer(related="company_id.customer_new_months", readonly=False)
    customer_former_months = fields.Integer(related="company_id.customer_former_months", readonly=False)
    customer_card_stale_days = fields.Integer(related="company_id.customer_card_stale_days", readonly=False)
    customer_card_required_field_ids = fields.Many2many(
        related="company_id.customer_card_required_field_ids", readonly=False
    )
    customer_card_field_names = fields.Json(related="company_id.customer_card_field_names")
    customer_grade_months = fields.Integer(related="company_id.customer_grade_months", readonly=False)
    customer_abc_a_cutoff = fields.Float(related="company_id.customer_abc_a_cutoff", readonly=False)
    customer_abc_b_cutoff = fields.Float(related="company_id.customer_abc_b_cutoff", readonly=False)
    customer_return_window_days = fields.Integer(
        related="company_id.customer_return_window_days", readonly=False
    )
    customer_credit_control = fields.Selection(related="company_id.customer_credit_control", readonly=False)
    customer_credit_check_order = fields.Boolean(
        related="company_id.customer_credit_check_order", readonly=False
    )
    customer_credit_check_delivery = fields.Boolean(
        related="company_id.customer_credit_check_delivery", readonly=False
    )
    customer_credit_check_invoice = fields.Boolean(
        related="company_id.customer_credit_check_invoice", readonly=False
    )
    customer_credit_overdue_days = fields.Integer(
        related="company_id.customer_credit_overdue_days", readonly=False
    )
    customer_credit_second_level_amount = fields.Monetary(
        related="company_id.customer_credit_second_level_amount", readonly=False
    )
    customer_credit_validity_months = fields.Integer(
        related="company_id.customer_credit_validity_months", readonly=False
    )
    customer_warning_scan_time = fields.Float(
        string="Daily Warning Scan At",
        compute="_compute_customer_warning_scan_time",
        inverse="_inverse_customer_warning_scan_time",
        help="Time of day (in your time zone) at which the warning scan runs.",
    )

    def _warning_cron(self):
        return self.env.ref("customer_mgmt.ir_cron_customer_warnings", raise_if_not_found=False)

    def _compute_customer_warning_scan_time(self):
        cron = self._warning_cron()
        tz = pytz.timezone(self.env.user.tz or "UTC")
        when = cron and pytz.utc.localize(cron.sudo().nextcall).astimezone(tz)
        for settings in self:
            settings.customer_warning_scan_time = when and when.hour + when.minute / 60.0

    def _inverse_customer_warning_scan_time(self):
        """Move the next run of the scan to that time, today if still ahead."""
        cron = self._warning_cron()
        if not cron:
            return
        for settings in self:
            if not 0 <= settings.customer_warning_scan_time < 24:
                raise ValidationError(self.env._("The warning scan time must be between 00:00 and 23:59."))
            tz = pytz.timezone(self.env.user.tz or "UTC")
            now = datetime.now(tz)
            hours, minutes = divmod(round(settings.customer_warning_scan_time * 60), 60)
            when = now.replace(hour=hours, minute=minutes, second=0, microsecond=0)
            if when <= now:
                when += timedelta(days=1)
            cron.sudo().nextcall = when.astimezone(pytz.utc).replace(tzinfo=None)
