from odoo import models

# A customer's posted invoices and refunds: what the sales plans count as
# invoiced (customer_sales_plan.py). The actuals' query and the partial index
# below share this one definition ({alias}: the table's alias and a dot in the
# query, nothing in the index), so that the planner matches them.
SALES_MOVES = "{alias}state = 'posted' AND {alias}move_type IN ('out_invoice', 'out_refund')"


class AccountMove(models.Model):
    _inherit = "account.move"

    # The sales plans' actuals read the invoices of one customer, company and
    # month (and the same month a year earlier) through this index, whatever
    # the customer's history.
    _customer_mgmt_sales_month_idx = models.Index(
        f"(commercial_partner_id, company_id, invoice_date) WHERE {SALES_MOVES.format(alias='')}"
    )
