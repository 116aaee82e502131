from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CustomerMgmtUsers:
    """The module's roles as users of the current company, and two customers
    of two salespeople."""

    @classmethod
    def _setup_users_and_customers(cls):
        cls.salesperson = cls._new_user("cm_sales_a", "customer_mgmt.group_customer_user")
        cls.salesperson_b = cls._new_user("cm_sales_b", "customer_mgmt.group_customer_user")
        cls.manager = cls._new_user("cm_manager", "customer_mgmt.group_customer_manager")
        cls.custodian = cls._new_user(
            "cm_custodian", "customer_mgmt.group_card_custodian,base.group_allow_export"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "杭州华东医药批发有限公司", "is_company": True, "user_id": cls.salesperson.id}
        )
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "广州广药医药有限公司", "is_company": True, "user_id": cls.salesperson_b.id}
        )

    @classmethod
    def _new_user(cls, login, groups, **values):
        """A user of the test company with the given groups only."""
        company = cls.env.company
        return new_test_user(
            cls.env,
            login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
            **values,
        )


class CustomerMgmtBaseCase(CustomerMgmtUsers, TransactionCase):
    """For what needs no accounting: cards, confidential data, rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_users_and_customers()


class CustomerMgmtCase(CustomerMgmtUsers, AccountTestInvoicingCommon):
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
        cls._setup_users_and_customers()

    @classmethod
    def _post_move(
        cls, partner, date, amount=1000.0, move_type="out_invoice", currency=None, product=None, post=True
    ):
        """Posted (or, without ``post``, draft) invoice or other move type of
        ``amount``, due on ``date``."""
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": date,
                "invoice_date_due": date,
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
        if post:
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


class CreditCase(CustomerMgmtCase):
    """A credit controller, a credit manager, an accountant; the first customer has a limit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.controller = cls._new_user("cm_credit", "customer_mgmt.group_credit_controller")
        cls.credit_manager = cls._new_user("cm_credit_mgr", "customer_mgmt.group_credit_manager")
        cls.accountant = cls._new_user(
            "cm_accountant", "account.group_account_invoice,base.group_partner_manager"
        )
        cls.customer.sudo().with_company(cls.company).credit_limit = 1000.0

    def _block(self, **values):
        self.company.write({"customer_credit_control": "block", **values})

    def _order(self, amount, partner=None, currency=None, user=None):
        pricelist = currency and self.env["product.pricelist"].create(
            {"name": currency.name, "currency_id": currency.id}
        )
        return (
            self.env["sale.order"]
            .with_user(user or self.env.user)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    **({"pricelist_id": pricelist.id} if pricelist else {}),
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_a.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )

    def _hold(self, partner=None, reason="Unpaid since March"):
        (partner or self.customer).with_user(self.controller)._credit_hold(reason)
