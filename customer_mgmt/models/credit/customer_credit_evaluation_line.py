from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class CustomerCreditEvaluationLine(models.Model):
    _name = "customer.credit.evaluation.line"
    _description = "Credit Scorecard Line"
    _order = "sequence, id"

    evaluation_id = fields.Many2one(
        "customer.credit.evaluation", required=True, index=True, ondelete="cascade"
    )
    criterion_id = fields.Many2one("customer.credit.criterion", required=True, ondelete="restrict")
    sequence = fields.Integer(related="criterion_id.sequence", store=True)
    guidance = fields.Text(related="criterion_id.guidance")
    computed = fields.Selection(related="criterion_id.computed")
    weight = fields.Float(required=True)
    score = fields.Float(help="0 to 100.")
    weighted_score = fields.Float(compute="_compute_weighted_score")
    note = fields.Char()

    @api.depends("score", "weight")
    def _compute_weighted_score(self):
        for line in self:
            line.weighted_score = line.score * line.weight / 100

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        if not self.env.su:
            lines.evaluation_id._check_draft()
        return lines

    def write(self, vals):
        if not self.env.su:
            self.evaluation_id._check_draft()
            if "score" in vals and self.filtered("computed"):
                raise UserError(
                    self.env._(
                        "%(criteria)s: the score is computed from the customer's payments.",
                        criteria=", ".join(self.filtered("computed").criterion_id.mapped("name")),
                    )
                )
        return super().write(vals)

    def unlink(self):
        if not self.env.su:
            self.evaluation_id._check_draft()
        return super().unlink()

    @api.constrains("score", "weight")
    def _check_score(self):
        for line in self:
            if not 0 <= line.score <= 100 or not 0 <= line.weight <= 100:
                raise ValidationError(
                    self.env._(
                        "Scorecard %(card)s, %(criterion)s: scores and weights go from 0 to 100.",
                        card=line.evaluation_id.display_name,
                        criterion=line.criterion_id.name,
                    )
                )
