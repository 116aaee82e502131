from odoo import fields, models


class CustomerGradeOverrideWizard(models.TransientModel):
    _name = "customer.grade.override.wizard"
    _description = "Override Customer Grade"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    grade_id = fields.Many2one("customer.grade", required=True)
    reason = fields.Char(required=True)
    date_until = fields.Date(
        string="Until", required=True, help="The automatic regrade resumes after this day."
    )

    def action_override(self):
        self.ensure_one()
        self.partner_ids._override_grade(self.grade_id, self.reason, self.date_until)
        return {"type": "ir.actions.act_window_close"}
