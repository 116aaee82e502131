import math

from odoo import api, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The module's settings live on the company. Each numeric or selection
    setting says what it accepts with the field parameter ``customer_setting``:
    ``(lowest, highest)`` for a number (``highest`` None for no upper bound),
    ``True`` for a selection (one of its values, or empty). ``create`` and
    ``write`` refuse any other value before the database sees it (an integer
    too large for its column, a selection that does not exist), through the
    Settings form as well as directly."""

    _inherit = "res.company"

    def _valid_field_parameter(self, field, name):
        return name == "customer_setting" or super()._valid_field_parameter(field, name)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._refuse_bad_customer_settings(vals, vals.get("name") or "-")
        return super().create(vals_list)

    def write(self, vals):
        self._refuse_bad_customer_settings(vals, ", ".join(self.mapped("name")))
        return super().write(vals)

    def _refuse_bad_customer_settings(self, vals, companies):
        for fname, value in vals.items():
            field = self._fields.get(fname)
            accepts = getattr(field, "customer_setting", None)
            if not accepts:
                continue
            setting = field.get_description(self.env)["string"]
            if field.type == "selection":
                selection = dict(field._description_selection(self.env))
                if value and not (isinstance(value, str) and value in selection):
                    raise ValidationError(
                        self.env._(
                            "%(company)s: %(setting)s must be one of %(values)s, not %(value)s.",
                            company=companies,
                            setting=setting,
                            values=", ".join(selection.values()),
                            value=value,
                        )
                    )
                continue
            low, high = accepts
            try:
                number = float(value or 0)
            except (TypeError, ValueError):
                number = math.nan
            if math.isfinite(number) and low <= number and (high is None or number <= high):
                continue
            if math.isfinite(number) and number.is_integer():
                value = int(number)  # as typed: the form may send an integer as a float
            raise ValidationError(
                self.env._(
                    "%(company)s: %(setting)s must be a number %(rule)s, not %(value)s.",
                    company=companies,
                    setting=setting,
                    rule=(
                        self.env._("of at least %(low)s", low=low)
                        if high is None
                        else self.env._("from %(low)s to %(high)s", low=low, high=high)
                    ),
                    value=value,
                )
            )
