from odoo.fields import Command
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CustomerMgmtCase(AccountTestInvoicingCommon):
    """Company with a chart of accounts, the module's roles as users, and
    helpers that create posted invoices and confirmed orders."""

    @classmethod
    def get_default_groups(cls):
        return (
            super().get_default_groups()
            | cls.quick_ref("customer_mgmt.group_customer_manager")
            | cls.quick_ref("sales_team.group_sale_manager")
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        common = {"company_id": company.id, "company_ids": [Command.set(company.ids)]}
        cls.salesperson = new_test_user(
            cls.env, "cm_sales_a", groups="customer_mgmt.group_customer_user", **common
        )
        cls.salesperson_b = new_test_user(
            cls.env, "cm_sales_b", groups="customer_mgmt.group_customer_user", **common
        )
        cls.manager = new_test_user(
            cls.env, "cm_manager", groups="customer_mgmt.group_customer_manager", **common
        )
        cls.custodian = new_test_user(
            cls.env,
            "cm_custodian",
            groups="customer_mgmt.group_card_custodian,base.group_allow_export",
            **common,
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "杭州华东医药批发有限公司", "is_company": True, "user_id": cls.salesperson.id}
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "广州广药医药有限公司", "is_company": True, "user_id": cls.salesperson_b.id}
        )

    @classmethod
    def _post_move(cls, partner, date, amount=1000.0, move_type="out_invoice", currency=None, product=None):
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": date,
                "date": date,
                "currency_id": (currency or cls.env.company.currency_id).id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": (product or cls.product_a).id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _confirm_order(cls, partner, date=None):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": cls.product_a.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        if date:
            order.date_order = date
        return order
