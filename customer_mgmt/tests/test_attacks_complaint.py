"""Hostile salespeople against complaints, over real HTTP (JSON-2).

8. A salesperson cannot back-date a complaint to get around its return window,
forge or change its reference, or reach a complaint of another salesperson's
customer through one of its contacts. See ``test_attacks_credit.py`` for how
the calls are made and asserted.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CustomerMgmtCase
from .test_attacks_credit import RpcAttackMixin

FOREIGN = "is followed by"
RECEIVED_BY_OFFICERS = "only customer service or a manager corrects the date a complaint was received."
SEQUENCE = "the reference of a complaint comes from its sequence, it cannot be chosen."
REFERENCE_FIXED = "the reference comes from the sequence and never changes."


@tagged("post_install", "-at_install")
class TestAttackComplaint(RpcAttackMixin, CustomerMgmtCase, HttpCase):
    """Salesperson A (``salesperson``) records complaints on their customer
    ``customer``; ``b_contact`` is a contact of salesperson B's ``customer_b``
    that carries A's name as its own salesperson."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.category = cls.env.ref("customer_mgmt.complaint_category_quality")
        cls.b_contact = cls.env["res.partner"].create(
            {"name": "广药 门店 赵店长", "parent_id": cls.customer_b.id, "user_id": cls.salesperson.id}
        )
        cls.complaint_b = cls.env["customer.complaint"].create(
            {"partner_id": cls.b_contact.id, "category_id": cls.category.id, "description": "<p>破损</p>"}
        )

    def _vals(self, **vals):
        return {"partner_id": self.customer.id, "category_id": self.category.id, "description": "x", **vals}

    def test_back_date_at_creation(self):
        back = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=90))
        response = self.rpc(
            self.salesperson, "customer.complaint", "create", vals_list=[self._vals(received_date=back)]
        )
        complaint = self.env["customer.complaint"].browse(self.assertPassed(response))
        self.assertGreater(complaint.received_date, fields.Datetime.now() - timedelta(minutes=5))
        # the same through a default of the context
        response = self.rpc(
            self.salesperson,
            "customer.complaint",
            "create",
            context={"default_received_date": back},
            vals_list=[self._vals()],
        )
        complaint = self.env["customer.complaint"].browse(self.assertPassed(response))
        self.assertGreater(complaint.received_date, fields.Datetime.now() - timedelta(minutes=5))

    def test_back_date_later(self):
        complaint = self.env["customer.complaint"].with_user(self.salesperson).create(self._vals())
        received = complaint.received_date
        back = fields.Datetime.to_string(received - timedelta(days=90))
        response = self.rpc(
            self.salesperson, "customer.complaint", "write", complaint.ids, vals={"received_date": back}
        )
        self.assertRefused(response, "AccessError", RECEIVED_BY_OFFICERS, complaint.name)
        self.assertEqual(complaint.received_date, received)

    def test_forge_the_reference(self):
        count = self.env["customer.complaint"].search_count([])
        response = self.rpc(
            self.salesperson, "customer.complaint", "create", vals_list=[self._vals(name="CMP/2019/0001")]
        )
        self.assertRefused(response, "UserError", SEQUENCE, "CMP/2019/0001")
        self.assertEqual(self.env["customer.complaint"].search_count([]), count)
        complaint = self.env["customer.complaint"].with_user(self.salesperson).create(self._vals())
        reference = complaint.name
        response = self.rpc(
            self.salesperson, "customer.complaint", "write", complaint.ids, vals={"name": "CMP/2019/0002"}
        )
        self.assertRefused(response, "UserError", REFERENCE_FIXED, reference)
        self.assertEqual(complaint.name, reference)

    def test_reach_a_foreign_complaint_through_a_contact(self):
        response = self.rpc(self.salesperson, "customer.complaint", "search_read", domain=[], fields=["name"])
        self.assertNotIn(self.complaint_b.id, [row["id"] for row in self.assertPassed(response)])
        response = self.rpc(
            self.salesperson, "customer.complaint", "read", self.complaint_b.ids, fields=["name"]
        )
        self.assertRefused(response, "AccessError")
        response = self.rpc(
            self.salesperson, "customer.complaint", "write", self.complaint_b.ids, vals={"priority": "2"}
        )
        self.assertRefused(response, "AccessError")
        self.assertEqual(self.complaint_b.priority, "0")

    def test_record_a_complaint_on_a_foreign_contact(self):
        count = self.env["customer.complaint"].search_count([])
        response = self.rpc(
            self.salesperson,
            "customer.complaint",
            "create",
            vals_list=[self._vals(partner_id=self.b_contact.id)],
        )
        self.assertRefused(response, "AccessError", FOREIGN, self.customer_b.name)
        self.assertEqual(self.env["customer.complaint"].search_count([]), count)
