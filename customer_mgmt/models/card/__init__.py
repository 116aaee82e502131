from . import res_company
from . import res_partner
from . import res_partner_bank
from . import base_partner_merge_automatic_wizard
from . import customer_certificate_type
from . import customer_certificate
from . import customer_card_review
from . import customer_card_access_log
