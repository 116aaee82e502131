import io
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """The shipped .pot matches the module's terms and zh_CN translates them all."""

    addon = "customer_mgmt"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.i18n = Path(__file__).resolve().parents[2] / cls.addon / "i18n"
        buffer = io.BytesIO()
        trans_export(False, [cls.addon], buffer, "po", cls.env)
        cls.terms = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode()) if entry.msgid}

    def test_pot_up_to_date(self):
        shipped = {e.msgid for e in polib.pofile(str(self.i18n / f"{self.addon}.pot")) if e.msgid}
        self.assertFalse(
            self.terms - shipped, f"terms missing from {self.addon}.pot: run scripts/update_i18n.py"
        )
        self.assertFalse(
            shipped - self.terms, f"obsolete terms in {self.addon}.pot: run scripts/update_i18n.py"
        )

    def test_zh_cn_complete(self):
        po = polib.pofile(str(self.i18n / "zh_CN.po"))
        translated = {e.msgid for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
        missing = sorted(self.terms - translated)
        self.assertFalse(missing, f"{len(missing)} terms without zh_CN translation, e.g. {missing[:5]}")
