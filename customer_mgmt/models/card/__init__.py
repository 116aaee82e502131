from . import res_company
from . import res_partner
from . import customer_certificate_type
from . import customer_certificate
from . import customer_card_review
from . import customer_card_access_log
