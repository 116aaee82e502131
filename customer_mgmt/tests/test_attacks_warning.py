from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_warning import WarningCase


@tagged("post_install", "-at_install")
class TestAttackWarnings(WarningCase):
    """A salesperson trying to get around the warnings, as over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.controller = cls._new_user("cm_warn_credit", "customer_mgmt.group_credit_controller")

    def setUp(self):
        super().setUp()
        self.mine = self._expiring_customers(1)
        self.theirs = self._expiring_customers(1, user=self.salesperson_b)
        self._scan()
        self.my_warning = self._live(self.mine)
        self.their_warning = self._live(self.theirs)

    def test_salesperson_reads_only_the_warnings_of_their_customers(self):
        Warning = self.warnings.with_user(self.salesperson_b)
        found = Warning.search_read([("partner_id", "in", (self.mine | self.theirs).ids)], ["partner_id"])
        self.assertEqual([row["partner_id"][0] for row in found], self.theirs.ids)
        groups = Warning._read_group(
            [("partner_id", "in", (self.mine | self.theirs).ids)], ["partner_id"], ["__count"]
        )
        self.assertEqual([(partner.id, count) for partner, count in groups], [(self.theirs.id, 1)])
        with self.assertRaises(AccessError):
            self.my_warning.with_user(self.salesperson_b).read(["summary"])
        # managers and credit controllers see both
        for user in (self.manager, self.controller):
            self.assertEqual(
                self.warnings.with_user(user).search_count(
                    [("id", "in", (self.my_warning | self.their_warning).ids)]
                ),
                2,
            )

    def test_salesperson_cannot_write_the_state_or_figures(self):
        warning = self.my_warning.with_user(self.salesperson)
        for values in (
            {"state": "resolved"},
            {"measured_value": 0},
            {"user_id": self.salesperson_b.id},
            {"date_deadline": "2099-01-01"},
            {"escalated": False},
        ):
            with self.assertRaises(AccessError):
                warning.write(values)
        self.assertEqual(self.my_warning.state, "open")

    def test_salesperson_cannot_create_or_delete_warnings(self):
        with self.assertRaises(AccessError):
            self.warnings.with_user(self.salesperson).create(
                {"partner_id": self.mine.id, "company_id": self.env.company.id, "warning_type": "churn"}
            )
        with self.assertRaises(AccessError):
            self.my_warning.with_user(self.manager).unlink()

    def test_salesperson_cannot_handle_another_salespersons_warning(self):
        # visible to them? no: the record rule refuses it first
        with self.assertRaises(AccessError):
            self.their_warning.with_user(self.salesperson).action_acknowledge()
        with self.assertRaises(AccessError):
            self.their_warning.with_user(self.salesperson).action_resolve()
        self.assertEqual(self.their_warning.state, "open")

    def test_only_a_manager_dismisses_and_with_a_reason(self):
        with self.assertRaises(AccessError):
            self.my_warning.with_user(self.salesperson).write({"dismiss_reason": "不需要"})
        with self.assertRaises(AccessError):
            self.my_warning.with_user(self.salesperson).action_dismiss()
        with self.assertRaisesRegex(UserError, "give the reason"):
            self.my_warning.with_user(self.manager).action_dismiss()
        self.my_warning.with_user(self.manager).write({"dismiss_reason": "额度已续期，等待录入"})
        self.my_warning.with_user(self.manager).action_dismiss()
        self.assertEqual(self.my_warning.state, "dismissed")
        with self.assertRaises(UserError):
            self.my_warning.with_user(self.manager).action_acknowledge()

    def test_salesperson_cannot_scan_or_change_rules(self):
        rule = self.env.ref("customer_mgmt.customer_warning_rule_churn")
        with self.assertRaises(AccessError):
            rule.with_user(self.salesperson).action_scan_now()
        with self.assertRaises(AccessError):
            rule.with_user(self.salesperson).threshold_days = 9999
        result = rule.with_user(self.manager).action_scan_now()
        self.assertEqual(result["tag"], "display_notification")


@tagged("post_install", "-at_install")
class TestIncidentWizard(WarningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.controller = cls._new_user("cm_incident_credit", "customer_mgmt.group_credit_controller")

    def _report(self, user, partner, kind="theft"):
        wizard = (
            self.env["customer.incident.wizard"]
            .with_user(user)
            .create(
                {"partner_id": partner.id, "incident_kind": kind, "description": "仓库被盗，损失约二十万元"}
            )
        )
        return wizard.action_report()

    def test_report_raises_a_high_warning_and_notifies_managers_and_controllers(self):
        action = self._report(self.salesperson, self.customer)
        warning = self.warnings.browse(action["res_id"])
        self.assertRecordValues(
            warning,
            [
                {
                    "partner_id": self.customer.id,
                    "warning_type": "major_incident",
                    "severity": "high",
                    "incident_kind": "theft",
                    "state": "open",
                    "user_id": self.salesperson.id,
                }
            ],
        )
        self.assertIn("Theft", warning.summary)
        notified = self._activities(warning).user_id
        self.assertIn(self.manager, notified)
        self.assertIn(self.controller, notified)
        # the scan neither resolves nor duplicates it
        self._scan()
        self.assertEqual(warning.state, "open")
        # a second report lands on the same warning
        self._report(self.salesperson, self.customer, kind="illness")
        self.assertEqual(len(self._live(self.customer, "major_incident")), 1)

    def test_controller_holds_the_customer_from_the_warning(self):
        warning = self.warnings.browse(self._report(self.salesperson, self.customer)["res_id"])
        action = warning.with_user(self.controller).action_credit_hold()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.controller)
            .with_context(**action["context"])
            .create({"reason": "重大变故：仓库被盗"})
        )
        wizard.action_apply()
        self.assertTrue(self.customer.credit_hold)
        with self.assertRaises(AccessError):
            warning.with_user(self.salesperson).action_credit_hold()

    def test_salesperson_cannot_report_on_another_salespersons_customer(self):
        with self.assertRaisesRegex(AccessError, "is kept by"):
            self._report(self.salesperson, self.customer_b)
        self.assertFalse(self._live(self.customer_b))
