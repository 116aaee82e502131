from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

OUT_OF_INT = 2**31  # over the integer column of the database


@tagged("post_install", "-at_install")
class TestSettingsValidated(TransactionCase):
    """Each numeric or selection setting of the module, given a bad value in
    the Settings form or written on the company, is refused with a message
    that names the company, the setting and the rule, before the database
    sees it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "设置检查有限公司"})
        cls.env = cls.env(context={**cls.env.context, "allowed_company_ids": cls.company.ids})

    def _label(self, fname):
        return self.company._fields[fname].get_description(self.env)["string"]

    def _assert_refused(self, fname, value, message):
        """``fname`` = ``value`` is refused with exactly ``message``, on the
        company and through the Settings form, and the setting is unchanged."""
        before = self.company[fname]
        for how in ("company", "settings"):
            with self.subTest(setting=fname, value=value, how=how), self.env.cr.savepoint():
                with self.assertRaises(ValidationError) as refusal:
                    if how == "company":
                        self.company.write({fname: value})
                    else:
                        self.env["res.config.settings"].create({fname: value}).execute()
                self.assertIs(type(refusal.exception), ValidationError)
                self.assertEqual(refusal.exception.args[0], message)
                self.company.invalidate_recordset()
                self.assertEqual(self.company[fname], before)

    def _assert_range(self, fname, low, high, bad_values, good_values):
        rule = (
            f"must be a number from {low} to {high}"
            if high is not None
            else f"must be a number of at least {low}"
        )
        for value in bad_values:
            shown = int(value) if float(value).is_integer() else value  # 5.0 shown as 5
            self._assert_refused(
                fname, value, f"{self.company.name}: {self._label(fname)} {rule}, not {shown}."
            )
        for value in good_values:
            self.env["res.config.settings"].create({fname: value}).execute()
            self.assertEqual(self.company[fname], value)

    def test_card_review_period(self):
        self._assert_range("customer_card_stale_days", 1, 3650, (0, -7, 3651, OUT_OF_INT), (1, 3650))

    def test_classification_periods(self):
        for fname in ("customer_new_months", "customer_former_months"):
            self._assert_range(fname, 1, 1200, (0, -12, 1201, OUT_OF_INT), (1, 1200))

    def test_grading_window_and_abc_cutoffs(self):
        self._assert_range("customer_grade_months", 1, 1200, (0, -1, OUT_OF_INT), (1, 24))
        self._assert_range("customer_abc_a_cutoff", 0, 100, (-5.0, 100.5), (60.0,))
        self._assert_range("customer_abc_b_cutoff", 0, 100, (-1.0, 150.0), (99.0,))
        # in range, but in the wrong order
        for vals in ({"customer_abc_a_cutoff": 0.0}, {"customer_abc_a_cutoff": 99.5}):
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(
                    ValidationError, rf"{self.company.name}: ABC cut-offs need 0 < A .* < B .* <= 100\."
                ),
            ):
                self.env["res.config.settings"].create(vals).execute()

    def test_return_window(self):
        self._assert_range("customer_return_window_days", 1, 3650, (0, -30, OUT_OF_INT), (1, 3650))

    def test_credit_settings(self):
        self._assert_range("customer_credit_overdue_days", 0, 3650, (-1, 3651, OUT_OF_INT), (0, 90))
        self._assert_range("customer_credit_validity_months", 1, 1200, (0, -12, OUT_OF_INT), (1, 36))
        self._assert_range("customer_credit_second_level_amount", 0, None, (-100.0,), (0.0, 1e12))
        for value in ("maybe", "BLOCK", 1):
            self._assert_refused(
                "customer_credit_control",
                value,
                f"{self.company.name}: Credit Control must be one of Off, Warn, Block, not {value}.",
            )
        self.company.write({"customer_credit_control": "warn"})
        self.assertEqual(self.company.customer_credit_control, "warn")

    def test_company_created_with_a_bad_setting(self):
        with self.assertRaises(ValidationError) as refusal:
            self.env["res.company"].create({"name": "坏设置有限公司", "customer_card_stale_days": OUT_OF_INT})
        self.assertEqual(
            refusal.exception.args[0],
            f"坏设置有限公司: Card Review Period (days) must be a number from 1 to 3650, not {OUT_OF_INT}.",
        )


@tagged("post_install", "-at_install")
class TestWarningScanTime(TransactionCase):
    def test_scan_time_moves_the_next_run_of_the_scheduled_action(self):
        self.env.user.tz = "Asia/Shanghai"
        cron = self.env.ref("customer_mgmt.ir_cron_customer_warnings")
        settings = self.env["res.config.settings"].create({"customer_warning_scan_time": 5.5})
        settings.execute()
        # 05:30 in Shanghai is 21:30 UTC
        self.assertEqual((cron.nextcall.hour, cron.nextcall.minute), (21, 30))
        self.assertEqual(self.env["res.config.settings"].create({}).customer_warning_scan_time, 5.5)
        with self.assertRaisesRegex(ValidationError, "between 00:00 and 23:59"):
            self.env["res.config.settings"].create({"customer_warning_scan_time": 24.0}).execute()
