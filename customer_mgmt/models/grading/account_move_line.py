from odoo import api, fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    customer_cost = fields.Monetary(
        string="Cost at Invoice Time",
        currency_field="company_currency_id",
        compute="_compute_customer_cost",
        store=True,
        copy=False,
        help="Cost of the products of a posted customer invoice line, from the product's cost when the "
        "invoice was posted, in company currency; negative on refunds. Used for the gross margin that "
        "grades customers.",
    )

    @api.depends("parent_state", "product_id", "quantity", "product_uom_id")
    def _compute_customer_cost(self):
        for line in self:
            move = line.move_id
            if line.parent_state != "posted" or line.display_type != "product" or not line.product_id:
                line.customer_cost = 0.0
                continue
            if not move.is_sale_document(include_receipts=False):
                line.customer_cost = 0.0
                continue
            product = line.product_id.with_company(move.company_id)
            quantity = line.product_uom_id._compute_quantity(line.quantity, product.uom_id)
            sign = -1 if move.move_type == "out_refund" else 1
            line.customer_cost = sign * quantity * product.standard_price
