from . import test_delivery_hold
from . import test_attacks_delivery
from . import test_i18n
