from odoo import fields, models


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
