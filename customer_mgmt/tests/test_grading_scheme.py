from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestGradingSchemeBands(TransactionCase):
    """A band deleted is validated as a band edited: no gap, no open middle."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        grade_c, grade_b, grade_a = cls.env["customer.grade"].create(
            [{"name": name, "code": name} for name in ("TC", "TB", "TA")]
        )
        cls.scheme = cls.env["customer.grade.scheme"].create(
            {
                "name": "测试方案",
                "channel": "retail",
                "company_id": cls.env.company.id,
                "line_ids": [
                    Command.create({"amount_min": 0, "amount_max": 100, "grade_id": grade_c.id}),
                    Command.create({"amount_min": 100, "amount_max": 200, "grade_id": grade_b.id}),
                    Command.create({"amount_min": 200, "grade_id": grade_a.id}),
                ],
            }
        )
        cls.low, cls.middle, cls.top = cls.scheme.line_ids.sorted("amount_min")

    def test_deleting_a_band_that_leaves_a_gap_is_refused(self):
        for band, message in ((self.middle, "leave a gap"), (self.low, "must start at 0")):
            with self.subTest(band=band.display_name), self.assertRaisesRegex(ValidationError, message):
                band.unlink()
        self.assertEqual(len(self.scheme.line_ids), 3)

    def test_deleting_the_open_top_band_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "no upper bound"):
            self.top.unlink()
        self.assertTrue(self.top.exists())

    def test_replacing_a_band_in_one_write_is_judged_once_done(self):
        """Through the scheme's form: the middle band goes and its successor comes in one save."""
        grade = self.middle.grade_id
        self.scheme.write(
            {
                "line_ids": [
                    Command.delete(self.middle.id),
                    Command.create({"amount_min": 100, "amount_max": 200, "grade_id": grade.id}),
                ]
            }
        )
        self.assertEqual(len(self.scheme.line_ids), 3)
        self.assertFalse(self.middle.exists())
