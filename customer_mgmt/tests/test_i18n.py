import io
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    """The shipped .pot matches the module's terms and zh_CN translates them all."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        buffer = io.BytesIO()
        trans_export(False, ["customer_mgmt"], buffer, "po", cls.env)
        cls.terms = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode()) if entry.msgid}

    def test_pot_up_to_date(self):
        shipped = {e.msgid for e in polib.pofile(str(I18N / "customer_mgmt.pot")) if e.msgid}
        self.assertFalse(
            self.terms - shipped, "terms missing from customer_mgmt.pot: run scripts/update_i18n.py"
        )
        self.assertFalse(
            shipped - self.terms, "obsolete terms in customer_mgmt.pot: run scripts/update_i18n.py"
        )

    def test_zh_cn_complete(self):
        po = polib.pofile(str(I18N / "zh_CN.po"))
        translated = {e.msgid for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}
        missing = sorted(self.terms - translated)
        self.assertFalse(missing, f"{len(missing)} terms without zh_CN translation, e.g. {missing[:5]}")
