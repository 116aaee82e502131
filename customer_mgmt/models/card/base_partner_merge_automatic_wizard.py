from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        """Merging changes every partner merged and deletes all but one: the
        rules of editing and deleting customers hold (a salesperson merges
        only their own customers; customers kept by logs are not merged away)."""
        partners = self.env["res.partner"].browse(partner_ids).exists()
        if len(partners) > 1:
            destination = dst_partner or self._get_ordered_partner(partners.ids)[-1]
            if not self.env.su:
                (partners | destination)._check_customer_owner()
            (partners - destination)._check_customers_kept()
        return super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
