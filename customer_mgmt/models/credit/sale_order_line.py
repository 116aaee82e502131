from odoo import api, models

from .sale_order import CREDIT_LINE_INPUTS


class SaleOrderLine(models.Model):
    """Lines changed directly (not through their order's write) are judged as
    a change of their confirmed order: see ``sale.order._credit_recheck``."""

    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.env["customer.credit.exposure"]._check_computed_inputs(self, vals)
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        watched = orders._credit_watched_by_lines()
        if not watched:
            return super().create(vals_list)
        before = watched._credit_state()
        with self.env.cr.savepoint():  # a refused change is undone
            lines = super().create(vals_list)
            watched._credit_recheck(before)
        return lines

    def write(self, vals):
        self.env["customer.credit.exposure"]._check_computed_inputs(self, vals)
        if not CREDIT_LINE_INPUTS.intersection(vals):
            return super().write(vals)
        orders = self.order_id
        if vals.get("order_id"):
            orders |= self.env["sale.order"].browse(vals["order_id"])
        watched = orders._credit_watched_by_lines()
        if not watched:
            return super().write(vals)
        before = watched._credit_state()
        with self.env.cr.savepoint():  # a refused change is undone
            res = super().write(vals)
            watched._credit_recheck(before)
        return res
