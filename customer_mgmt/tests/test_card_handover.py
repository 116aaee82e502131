import re

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CustomerMgmtCase


@tagged("post_install", "-at_install")
class TestHandover(CustomerMgmtCase):
    def _wizard(self, user, from_user, to_user):
        form = Form(self.env["customer.handover.wizard"].with_user(user))
        form.from_user_id = from_user
        form.to_user_id = to_user
        form.reason = "resignation"
        form.note = "张伟离职"
        return form.save()

    def test_handover_moves_customers_and_open_work(self):
        contact = self.env["res.partner"].create(
            {"name": "采购 刘洋", "parent_id": self.customer.id, "user_id": self.salesperson.id}
        )
        activity = self.customer.activity_schedule(
            "mail.mail_activity_data_todo", summary="回访", user_id=self.salesperson.id
        )
        quotation = self.env["sale.order"].create({"partner_id": contact.id, "user_id": self.salesperson.id})
        quote_activity = quotation.activity_schedule(
            "mail.mail_activity_data_todo", summary="跟进报价", user_id=self.salesperson.id
        )
        confirmed = self._confirm_order(self.customer)
        confirmed.user_id = self.salesperson

        wizard = self._wizard(self.manager, self.salesperson, self.salesperson_b)
        self.assertEqual(wizard.partner_ids, self.customer)
        wizard.action_handover()

        self.assertEqual(self.customer.user_id, self.salesperson_b)
        self.assertEqual(contact.user_id, self.salesperson_b)
        self.assertEqual(activity.user_id, self.salesperson_b)
        self.assertEqual(quotation.user_id, self.salesperson_b)
        self.assertEqual(quote_activity.user_id, self.salesperson_b)
        self.assertEqual(confirmed.user_id, self.salesperson, "confirmed orders keep their history")
        self.assertEqual(self.customer_b.user_id, self.salesperson_b)
        self.assertIn("张伟离职", self.customer.message_ids[0].body)
        self.assertIn(self.salesperson_b.name, self.customer.message_ids[0].body)

    def test_handover_of_a_subset(self):
        third = self.env["res.partner"].create(
            {"name": "宁波天一医药", "is_company": True, "user_id": self.salesperson.id}
        )
        wizard = self._wizard(self.manager, self.salesperson, self.salesperson_b)
        wizard.partner_ids = third
        wizard.action_handover()
        self.assertEqual(third.user_id, self.salesperson_b)
        self.assertEqual(self.customer.user_id, self.salesperson)

    def test_handover_refused(self):
        wizard = self._wizard(self.manager, self.salesperson, self.salesperson)
        with self.assertRaisesRegex(UserError, re.escape(self.salesperson.name)):
            wizard.action_handover()
        with self.assertRaises(AccessError):
            self._wizard(self.salesperson, self.salesperson, self.salesperson_b)
        wizard = self._wizard(self.manager, self.salesperson, self.salesperson_b)
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesperson_b).action_handover()
        wizard.partner_ids = self.customer_b
        with self.assertRaisesRegex(UserError, "广州广药医药有限公司"):
            wizard.action_handover()
        self.assertEqual(self.customer.user_id, self.salesperson, "nothing moved")
