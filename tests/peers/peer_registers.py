"""Register tables shared by both board models of the peer: access rules, FC16 all-or-nothing
validation, and the comm-loss dead-man timer. Written from spec/register-map.md only."""

R, W, RW = "R", "W", "RW"

ILLEGAL_FUNCTION = 0x01
ILLEGAL_ADDRESS = 0x02
ILLEGAL_VALUE = 0x03


def int16(value):
    """A register's 16 bits as a signed int16."""
    return value - 0x10000 if value & 0x8000 else value


def uint16(value):
    """A signed or unsigned int as the register's 16 bits."""
    return int(value) & 0xFFFF


class RegisterBoard:
    """A board with a table {address: access}; subclasses supply read_register(), the value checks
    (check_values) and apply_values()."""

    ACCESS = {}

    def readable(self, address, count):
        """All addresses listed (write-only ones read as 0)."""
        return all((address + i) in self.ACCESS for i in range(count))

    def writable(self, address, count):
        """All addresses listed and writable."""
        return all(W in self.ACCESS.get(address + i, "") for i in range(count))

    def read(self, address, count):
        return [uint16(self.read_register(address + i)) for i in range(count)]

    def read_register(self, address):
        if self.ACCESS[address] == W:
            return 0
        return self.read_readable(address)

    def write(self, address, values, now):
        """Validates the whole write, then applies it at once: None or an exception code."""
        if not self.writable(address, len(values)):
            return ILLEGAL_ADDRESS
        proposal = {address + i: v & 0xFFFF for i, v in enumerate(values)}
        code = self.check_values(proposal)
        if code:
            return code
        self.apply_values(proposal, now)
        return None


class CommWatch:
    """The dead-man of one board: no valid request for `timeout_s` (wall clock) means lost."""

    def __init__(self, now):
        self.last_request = now
        self.lost = False

    def request_seen(self, now):
        """A valid request for this unit arrived; True when it ends a comm loss."""
        self.last_request = now
        was_lost = self.lost
        self.lost = False
        return was_lost

    def expired(self, now, timeout_s):
        """True once, at the moment the time-out passes (timeout_s <= 0 means off)."""
        if timeout_s <= 0 or self.lost:
            return False
        if now - self.last_request > timeout_s:
            self.lost = True
            return True
        return False
