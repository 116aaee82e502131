from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import tagged

from .common import CustomerMgmtBaseCase


@tagged("post_install", "-at_install")
class TestConfidentialSection(CustomerMgmtBaseCase):
    """Key people's personal data: refused to everyone but card custodians,
    whatever the route a JSON-RPC client takes; every custodian read is logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key_person = (
            cls.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": "王建国",
                    "parent_id": cls.customer.id,
                    "function": "总经理",
                    "is_key_person": True,
                    "hobbies": "打高尔夫",
                    "personality": "性格直爽",
                    "decision_style": "leader",
                    "birthday": "1970-05-01",
                }
            )
        )
        cls.Log = cls.env["customer.card.access.log"]

    def _logs(self, *domain):
        """Log lines written by this test's users (the database may hold others)."""
        return self.Log.search([("user_id", "in", (self.custodian | self.salesperson).ids), *domain])

    def test_salesperson_cannot_read(self):
        self.salesperson.group_ids += self.env.ref("base.group_allow_export")
        contact = self.key_person.with_user(self.salesperson)
        partners = self.env["res.partner"].with_user(self.salesperson)
        with self.assertRaises(AccessError):
            contact.read(["hobbies"])
        with self.assertRaises(AccessError):
            contact.web_read({"name": {}, "personality": {}})
        with self.assertRaises(AccessError):
            partners.search_read([("id", "=", contact.id)], ["name", "hobbies"])
        with self.assertRaises(AccessError):
            partners.search([("hobbies", "ilike", "高尔夫")])
        with self.assertRaises(AccessError):
            partners.formatted_read_group([("id", "=", contact.id)], ["decision_style"], ["__count"])
        with self.assertRaises(AccessError):
            partners.web_read_group([("id", "=", contact.id)], ["decision_style"], ["__count"])
        with self.assertRaises(AccessError):
            contact.with_user(self.salesperson).export_data(["name", "family_info"])
        with self.assertRaises(AccessError):
            contact.write({"hobbies": "overwritten"})
        self.assertNotIn("hobbies", partners.fields_get())
        # the salesperson can still read the rest of the contact
        self.assertEqual(contact.read(["name", "function"])[0]["function"], "总经理")
        self.assertFalse(self._logs())

    def test_custodian_read_is_logged(self):
        contact = self.key_person.with_user(self.custodian)
        values = contact.web_read({"hobbies": {}, "decision_style": {}, "age": {}})
        self.assertEqual(values[0]["hobbies"], "打高尔夫")
        log = self._logs()
        self.assertRecordValues(
            log,
            [
                {
                    "user_id": self.custodian.id,
                    "partner_id": self.customer.id,
                    "access_type": "read",
                    "contact_count": 1,
                    "field_names": "age, decision_style, hobbies",
                }
            ],
        )

    def test_custodian_opening_card_logs_once_per_customer(self):
        other = (
            self.env["res.partner"]
            .sudo()
            .create({"name": "李娜", "parent_id": self.customer.id, "is_key_person": True, "hobbies": "钓鱼"})
        )
        card = self.customer.with_user(self.custodian)
        card.web_read({"name": {}, "key_contact_ids": {"fields": {"name": {}, "hobbies": {}}}})
        log = self._logs()
        self.assertEqual(len(log), 1)
        self.assertEqual(log.partner_id, self.customer)
        self.assertEqual(log.contact_count, len(self.key_person | other))

    def test_custodian_grouping_is_logged(self):
        partners = self.env["res.partner"].with_user(self.custodian)
        groups = partners.formatted_read_group(
            [("parent_id", "=", self.customer.id)], ["hobbies"], ["__count"]
        )
        self.assertIn("打高尔夫", [group["hobbies"] for group in groups])
        self.assertRecordValues(
            self._logs(),
            [{"partner_id": self.customer.id, "access_type": "group", "field_names": "hobbies"}],
        )
        partners.formatted_read_group([], ["user_id"], ["__count"])
        self.assertEqual(len(self._logs()), 1)

    def test_log_seen_in_the_readers_company_only(self):
        self.key_person.with_user(self.custodian).read(["hobbies"])
        log = self._logs()
        self.assertEqual(log.company_id, self.custodian.company_id)
        other = self.env["res.company"].create({"name": "其他公司"})
        self.manager.write({"company_ids": [Command.link(other.id)]})
        logs = self.env["customer.card.access.log"].with_user(self.manager).with_company(other)
        self.assertFalse(logs.search([("id", "=", log.id)]))
        self.assertTrue(logs.with_company(self.custodian.company_id).search([("id", "=", log.id)]))

    def test_custodian_export_is_logged(self):
        rows = self.key_person.with_user(self.custodian).export_data(["name", "family_info", "hobbies"])
        self.assertEqual(rows["datas"][0][2], "打高尔夫")
        exports = self._logs(("access_type", "=", "export"))
        self.assertEqual(exports.partner_id, self.customer)
        self.assertEqual(exports.user_id, self.custodian)

    def test_export_through_contacts_is_logged(self):
        rows = self.customer.with_user(self.custodian).export_data(["name", "child_ids/hobbies"])
        self.assertIn("打高尔夫", [row[1] for row in rows["datas"]])
        self.assertEqual(self._logs(("access_type", "=", "export")).partner_id, self.customer)

    def test_reading_other_fields_is_not_logged(self):
        self.key_person.with_user(self.custodian).read(["name", "function", "phone"])
        self.assertFalse(self._logs())

    def test_log_is_read_only(self):
        self.key_person.with_user(self.custodian).read(["hobbies"])
        log = self.Log.with_user(self.custodian).search([("user_id", "=", self.custodian.id)])
        self.assertTrue(log)
        with self.assertRaises(AccessError):
            log.write({"user_id": self.salesperson.id})
        with self.assertRaises(AccessError):
            log.unlink()
        with self.assertRaises(AccessError):
            self.Log.with_user(self.salesperson).search([])

    def test_age_and_advice(self):
        contact = self.key_person.with_user(self.custodian)
        self.assertGreater(contact.age, 50)
        self.assertIn("directly", contact.decision_style_advice)
