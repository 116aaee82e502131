from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount

from .account_move import SALES_MOVES
from .customer_sales_plan import month_start


class CustomerSalesPlanLine(models.Model):
    """The target of one product category (its subcategories included) within
    a customer's monthly plan. The lines of a plan never add up to more than
    its target; they change with their plan's rights: a draft by whoever may
    edit it, an approved or closed plan by a manager only."""

    _name = "customer.sales.plan.line"
    _description = "Customer Sales Plan Category Target"
    _order = "plan_id, id"

    # indexed by _plan_categ_uniq, which starts with it
    plan_id = fields.Many2one("customer.sales.plan", string="Sales Plan", required=True, ondelete="cascade")
    categ_id = fields.Many2one("product.category", string="Product Category", required=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    amount_target = fields.Monetary(string="Target", help="Untaxed, in company currency.")
    amount_invoiced = fields.Monetary(
        string="Invoiced",
        compute="_compute_amount_invoiced",
        help="Posted invoices minus refunds of the plan's month for products of the category or its "
        "subcategories, untaxed, in company currency.",
    )
    progress = fields.Float(string="Invoiced %", compute="_compute_amount_invoiced")

    _plan_categ_uniq = models.Constraint(
        "UNIQUE(plan_id, categ_id)", "A sales plan has one target per product category."
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("categ_id", "amount_target", "plan_id.partner_id", "plan_id.company_id", "plan_id.month")
    def _compute_amount_invoiced(self):
        figures = self._category_figures()
        for index, line in enumerate(self):
            amount = line.currency_id.round(figures.get(index, 0.0))
            line.amount_invoiced = amount
            line.progress = 100.0 * amount / line.amount_target if line.amount_target > 0 else 0.0

    def _category_figures(self):
        """{index in self: invoiced} for the lines whose plan has a customer, a
        company and a month and that have a category: one query for them all,
        as the plan's invoiced (``customer.sales.plan._invoiced_sql``), limited
        to the products of the category and its subcategories."""
        rows = [
            (
                index,
                line.plan_id.partner_id.commercial_partner_id.id,
                line.plan_id.company_id.id,
                month_start(line.plan_id.month),
                line.categ_id.id,
            )
            for index, line in enumerate(self)
            if line.categ_id and line.plan_id.partner_id and line.plan_id.company_id and line.plan_id.month
        ]
        if not rows:
            return {}
        self.env["customer.sales.plan"]._flush_sales_data()
        self.env["product.product"].flush_model(["product_tmpl_id"])
        self.env["product.template"].flush_model(["categ_id"])
        self.env["product.category"].flush_model(["parent_path"])
        keys, partners, companies, months, categories = (list(column) for column in zip(*rows, strict=True))
        result = self.env.execute_query(
            SQL(
                """
                SELECT plan_line.key, SUM(-line.balance)
                  FROM unnest(%s::int[], %s::int[], %s::int[], %s::date[], %s::int[])
                       AS plan_line(key, partner_id, company_id, month, categ_id)
                  JOIN product_category categ ON categ.id = plan_line.categ_id
                  JOIN account_move move
                    ON move.commercial_partner_id = plan_line.partner_id
                   AND move.company_id = plan_line.company_id
                   AND %s
                   AND move.invoice_date >= plan_line.month
                   AND move.invoice_date < (plan_line.month + INTERVAL '1 month')::date
                  JOIN account_move_line line ON line.move_id = move.id AND line.display_type = 'product'
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_template template ON template.id = product.product_tmpl_id
                  JOIN product_category line_categ
                    ON line_categ.id = template.categ_id
                   AND line_categ.parent_path LIKE categ.parent_path || '%%'
              GROUP BY plan_line.key
                """,
                keys,
                partners,
                companies,
                months,
                categories,
                SQL(SALES_MOVES.format(alias="move.")),  # pylint: disable=sql-injection
            )
        )
        return dict(result)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("amount_target", "plan_id")
    def _check_amount_target(self):
        for line in self.filtered(lambda line: line.amount_target < 0):
            raise ValidationError(
                self.env._(
                    "Sales plan %(plan)s: the target of %(category)s cannot be negative (%(amount)s).",
                    plan=line.plan_id.display_name,
                    category=line.categ_id.display_name,
                    amount=format_amount(self.env, line.amount_target, line.currency_id),
                )
            )
        self.plan_id._check_line_targets()

    # ------------------------------------------------------------------
    # CRUD: the plan's rights
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._refuse_computed(vals_list)
            self.env["customer.sales.plan"].browse(
                {vals["plan_id"] for vals in vals_list if vals.get("plan_id")}
            )._ensure_lines_editable()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._refuse_computed([vals])
            plans = self.plan_id
            if vals.get("plan_id"):
                plans |= plans.browse(vals["plan_id"])
            plans._ensure_lines_editable()
        return super().write(vals)

    def unlink(self):
        # before the record rules, which refuse it too, to say why
        if not self.env.su:
            self.plan_id._ensure_lines_editable()
        return super().unlink()

    def _refuse_computed(self, vals_list):
        computed = {
            fname
            for vals in vals_list
            for fname, value in vals.items()
            if fname in self._fields and self._fields[fname].compute and value
        }
        if computed:
            raise UserError(
                self.env._(
                    "Sales plan category targets: %(fields)s are computed, not written by hand.",
                    fields=", ".join(
                        self._fields[fname].get_description(self.env)["string"] for fname in sorted(computed)
                    ),
                )
            )
