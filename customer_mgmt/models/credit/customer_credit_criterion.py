from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CustomerCreditCriterion(models.Model):
    _name = "customer.credit.criterion"
    _description = "Credit Scorecard Criterion"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    weight = fields.Float(
        required=True, help="Weight in % of the total score; active criteria add up to 100."
    )
    guidance = fields.Text(translate=True, help="What the evaluator looks at.")
    computed = fields.Selection(
        [("payment_history", "Historical payment ability")],
        string="Computed From",
        help="The score is computed from the customer's real payments instead of entered.",
    )

    @api.constrains("weight")
    def _check_weight(self):
        for criterion in self:
            if not 0 < criterion.weight <= 100:
                raise ValidationError(
                    self.env._(
                        "Criterion %(name)s: the weight must be above 0 and at most 100.", name=criterion.name
                    )
                )
